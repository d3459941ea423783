import Foundation

/// What the action rules ask of an event's operation text, answered once for each distinct
/// operation of a run instead of once for each action and rule.
///
/// A run at 488 MB holds about 200,000 actions but only a few thousand distinct operations
/// (Graph requests are `METHOD URI`, audit records name a cmdlet or an activity). Five rules
/// scanned each action's text for their words: the recon categories, the persistence paths and
/// activities, inbox-rule and forwarding cmdlets, mail and file reads, sends. Each answer here is
/// the rule's own predicate (a static function of the rule), so what a rule means stays with the
/// rule; only when it is asked changes. A predicate may depend on the operation's text and on
/// whether the event came from the Graph activity log, nothing else.
struct OperationTraits: Sendable {
    /// ``GraphReconRule/categoryIndex(_:)``: the directory category a Graph `GET` reveals.
    var reconCategory: Int8? = nil
    /// ``PersistenceActionRule/isPersistence(_:inGraph:)`` for a Graph request.
    var persistenceInGraph = false
    /// ``PersistenceActionRule/isPersistence(_:inGraph:)`` for any other record.
    var persistenceElsewhere = false
    /// ``InboxRuleHidingRule/isRuleOperation(_:)``.
    var inboxRule = false
    /// ``MailForwardingRule/mayForward(_:)``.
    var mayForward = false
    /// ``BulkCollectionRule/isGraphRead(_:)``.
    var graphRead = false
    /// ``BulkCollectionRule/isGraphCredentialSearch(_:)``.
    var graphCredentialSearch = false
    /// ``BulkCollectionRule/isAuditRead(_:)``.
    var auditRead = false
    /// ``MassSendRule/isSend(_:)``.
    var send = false

    /// The traits of an event without an operation: it matches nothing.
    static let none = OperationTraits()

    private init() {}

    init(_ operation: String) {
        reconCategory = GraphReconRule.categoryIndex(operation).map(Int8.init)
        persistenceInGraph = PersistenceActionRule.isPersistence(operation, inGraph: true)
        persistenceElsewhere = PersistenceActionRule.isPersistence(operation, inGraph: false)
        inboxRule = InboxRuleHidingRule.isRuleOperation(operation)
        mayForward = MailForwardingRule.mayForward(operation)
        graphRead = BulkCollectionRule.isGraphRead(operation)
        graphCredentialSearch = BulkCollectionRule.isGraphCredentialSearch(operation)
        auditRead = BulkCollectionRule.isAuditRead(operation)
        send = MassSendRule.isSend(operation)
    }

    /// Whether the operation is a persistence change for an event of `source`.
    func persistence(from source: LogSource) -> Bool {
        source == .graphActivityLogs ? persistenceInGraph : persistenceElsewhere
    }
}

/// The traits of every distinct operation of a run, by vocabulary code.
struct OperationTraitsTable: Sendable {
    private let traits: CodeTable<OperationTraits>

    /// The traits of each code in `codes` (operation codes, ``TextVocabulary/none`` left out),
    /// worked out on every core: a log whose Graph requests name ids in their URIs has nearly
    /// as many distinct operations as actions (at 488 MB, 128,000 instead of 2,500), and the
    /// nine questions took a tenth of a second on one core.
    init(codes: CodeTable<Bool>) {
        var list: [UInt32] = []
        codes.forEach { code, _ in list.append(code) }
        let operations = list
        let vocabulary = TextVocabulary.shared
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let parts = parallelChunks(count: operations.count, chunkSize: max(1 << 12, (operations.count + cores - 1) / cores)) { range in
            range.map { vocabulary.text(operations[$0]).map(OperationTraits.init) }
        }
        var table = CodeTable<OperationTraits>()
        for (code, traits) in zip(operations, parts.joined()) { table[code] = traits }
        traits = table
    }

    /// The traits of `event`'s operation. An operation the table was not built with (an event
    /// from outside the run's graph) is worked out on the spot, so the answer never depends on
    /// what was gathered.
    func of(_ event: Event) -> OperationTraits {
        let code = event.operationCode
        if let known = traits[code] { return known }
        return event.operation.map(OperationTraits.init) ?? .none
    }
}
