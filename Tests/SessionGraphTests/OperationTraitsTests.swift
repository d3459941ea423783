import Testing
@testable import SessionGraph

// The action rules read each operation's traits from a table made once a run. These tests pin
// what the traits say for the operations the rules look for (each trait is the rule's own
// predicate), and that the table answers an operation it was not made with as it answers one it
// was: the rules' results must not depend on which codes were gathered.
@Suite("Detection: operation traits")
struct OperationTraitsTests {
    @Test("each trait answers its rule's question, in any ASCII case")
    func traitsOfKnownOperations() {
        let create = OperationTraits("New-InboxRule")
        #expect(create.inboxRule && create.mayForward && !create.send && !create.auditRead)
        #expect(OperationTraits("updateinboxrules").inboxRule && !OperationTraits("updateinboxrules").mayForward)
        #expect(OperationTraits("Set-Mailbox").mayForward && !OperationTraits("Set-Mailbox").inboxRule)
        #expect(OperationTraits("New-TransportRule").mayForward)
        #expect(!OperationTraits("Get-InboxRule ").mayForward)

        let consent = OperationTraits("Consent to application.")
        #expect(consent.persistenceElsewhere && !consent.persistenceInGraph)
        #expect(consent.persistence(from: .unifiedAuditLog) && !consent.persistence(from: .graphActivityLogs))
        let grant = OperationTraits("POST https://graph.microsoft.com/v1.0/me/authentication/phoneMethods")
        #expect(grant.persistenceInGraph && !grant.persistenceElsewhere && grant.reconCategory == nil)
        #expect(!OperationTraits("GET https://graph.microsoft.com/v1.0/applications").persistenceInGraph)

        let users = OperationTraits("get https://graph.microsoft.com/v1.0/Users?$top=999")
        #expect(users.reconCategory == 1 && !users.graphRead)
        let mail = OperationTraits("GET https://graph.microsoft.com/v1.0/me/messages?$search=password")
        #expect(mail.reconCategory == 4 && mail.graphRead && mail.graphCredentialSearch)
        #expect(!OperationTraits("POST https://graph.microsoft.com/v1.0/me/messages").graphRead)

        #expect(OperationTraits("MailItemsAccessed").auditRead && !OperationTraits("MailItemsAccessed").graphRead)
        #expect(!OperationTraits("MailItemsAccessedAndMore12").auditRead)
        #expect(OperationTraits("SendAs").send && OperationTraits("POST /v1.0/me/sendMail").send && OperationTraits("post /v1.0/me/messages/1/send").send)
        #expect(!OperationTraits("GET /v1.0/me/sendMail").send)
    }

    @Test("an operation the table was not made with is worked out on the spot, the same as one it was")
    func tableAnswersUnknownCodes() {
        let operations = ["New-InboxRule", "POST https://graph.microsoft.com/v1.0/applications", "GET /v1.0/directoryRoles", "SendOnBehalf", "Add member to role."]
        var gathered = CodeTable<Bool>()
        let events = operations.map { operation -> Event in
            var event = Event(time: UTCInstant(seconds: 0), source: .graphActivityLogs, shape: .logAnalyticsJSON, kind: .action,
                              provenance: Provenance(fileIndex: 0, line: 1, record: 1))
            event.operation = operation
            gathered[event.operationCode] = true
            return event
        }
        let full = OperationTraitsTable(codes: gathered), empty = OperationTraitsTable(codes: CodeTable<Bool>())
        for (event, operation) in zip(events, operations) {
            let expected = OperationTraits(operation)
            for table in [full, empty] {
                let traits = table.of(event)
                #expect(traits.reconCategory == expected.reconCategory && traits.persistenceInGraph == expected.persistenceInGraph
                        && traits.persistenceElsewhere == expected.persistenceElsewhere && traits.inboxRule == expected.inboxRule
                        && traits.mayForward == expected.mayForward && traits.graphRead == expected.graphRead
                        && traits.graphCredentialSearch == expected.graphCredentialSearch && traits.auditRead == expected.auditRead
                        && traits.send == expected.send, "\(operation)")
            }
        }
        #expect(empty.of(events[0]).inboxRule && empty.of(events[1]).persistenceInGraph && empty.of(events[2]).reconCategory == 0)
        let bare = Event(time: UTCInstant(seconds: 0), source: .unifiedAuditLog, shape: .logAnalyticsJSON, kind: .action,
                         provenance: Provenance(fileIndex: 0, line: 1, record: 1))
        let none = full.of(bare)
        #expect(none.reconCategory == nil && !none.inboxRule && !none.mayForward && !none.send && !none.persistenceElsewhere && !none.auditRead)
    }
}
