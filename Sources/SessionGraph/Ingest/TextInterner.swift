/// Keeps one copy of each repeated string value read from a file (an app id, a user agent, an
/// address seen on thousands of records), so events share it instead of each holding its own
/// heap copy. Strings of up to 15 UTF-8 bytes live inside the String value and are left alone.
struct TextInterner {
    private var held = Set<String>()

    mutating func share(_ value: inout String?) {
        guard let text = value, text.utf8.count > 15 else { return }
        let (inserted, member) = held.insert(text)
        if !inserted { value = member }
    }

    mutating func share(_ event: inout Event) {
        event.shareRepeatedText { share(&$0) }
    }
}
