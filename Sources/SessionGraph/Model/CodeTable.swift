/// Values keyed by ``TextVocabulary`` code, held in an array at the code's position: a lookup
/// is one bounds check and one read, with no hashing. Codes are dense (one per distinct text
/// value of the run, numbered from 1), so the array is as long as the largest code set, not
/// as the number of events: a few hundred thousand slots for a 5 GB run.
///
/// For the run-wide passes over every event (the link's context index): a `Dictionary` hashed
/// each code with SipHash and reached its metadata, keys and values apart, four lookups per
/// event.
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
                values.append(contentsOf: repeatElement(nil, count: index + 1 - values.count))
            }
            values[index] = newValue
        }
    }
}
