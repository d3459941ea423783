/// Every detection rule, in evaluation order. Each lives in its own file under `Rules/` with its
/// reason, thresholds and false positives in its documentation comment.
public enum RuleRegistry {
    static let sessionRules: [any SessionRule] = [
        BranchNewNetworkRule(), BranchNewCountryRule(), DeviceMismatchRule(), ClientChangeRule(), ConcurrentBranchesRule(),
        ImpossibleTravelRule(), RootAbsentRule(),
        TokenUseMismatchRule(), TokenLifetimeRule(),
        DeviceCodeSplitRule(), AitmOfficeHomeRule(), AitmKitUserAgentRule(), FociClientSwitchRule(),
        InboxRuleHidingRule(), MailForwardingRule(), PersistenceActionRule(), BulkCollectionRule(), GraphReconRule(), MassSendRule(),
    ]

    static let runRules: [any RunRule] = [OrphanTokenRule(), ServicePrincipalReplayRule()]

    /// Rule ids and their families, for documentation and `--help`.
    public static var catalogue: [(id: String, family: FindingFamily)] {
        sessionRules.map { ($0.id, $0.family) } + runRules.map { ($0.id, $0.family) }
    }
}
