/// Values keyed by ``TextVocabulary`` code, held in an array at the code's position: a lookup
/// is one bounds check and one read, with no hashing. Codes are dense (one per distinct text
/// value, numbered from 1), so the array is as long as the largest code set, not as the number
/// of events: a few hundred thousand slots for a 5 GB run. The vocabulary is the process's, so
/// in a process that analyses several exports a table has room for every code handed out so
/// far, not only this run's.
///
/// For the run-wide passes over every event (the link's context index, detection's user
/// facts): a `Dictionary` hashed each code with SipHash and reached its metadata, keys and
/// values apart, several lookups per event.
struct CodeTable<Value: Sendable>: Sendable {
    private var values: [Value?] = []

    /// A table with room for every code handed out so far.
    init() {
        values.reserveCapacity(TextVocabulary.shared.count + 1)
    }

    subscript(code: UInt32) -> Value? {
        get {
            let index = Int(code)
            return index < values.count ? values[index] : nil
        }
        set {
            let index = Int(code)
            if index >= values.count {
                guard newValue != nil else { return }
                makeRoom(for: index)
            }
            values[index] = newValue
        }
    }

    /// Changes the value of `code` in place (`initial` first when it has none), as
    /// `dictionary[key, default: initial]` does: a list or set held here is not copied.
    mutating func update(_ code: UInt32, default initial: @autoclosure () -> Value, _ change: (inout Value) -> Void) {
        let index = Int(code)
        if index >= values.count { makeRoom(for: index) }
        if values[index] == nil { values[index] = initial() }
        change(&values[index]!)
    }

    /// Every code that holds a value, with it, in code order.
    func forEach(_ body: (UInt32, Value) -> Void) {
        for (index, value) in values.enumerated() {
            if let value { body(UInt32(index), value) }
        }
    }

    private mutating func makeRoom(for index: Int) {
        values.append(contentsOf: repeatElement(nil, count: index + 1 - values.count))
    }
}
