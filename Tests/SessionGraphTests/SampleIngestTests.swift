import Foundation
import Testing
@testable import SessionGraph

// Every public sample under ../shared/samples is ingested and checked against values computed
// independently from the raw files (python3 `json`/`csv`/`uuid.UUID(bytes_le=…)`), never copied
// from the program's output. See /work/shared/samples/SOURCES.md for what each file is.
//
// The whole suite is skipped, with a message, when the samples folder is absent.

/// The expected account of one sample file.
struct SampleCase: Sendable, CustomTestStringConvertible {
    var path: String
    var source: LogSource?
    var shape: ExportShape?
    var read: Int
    var used: Int
    var duplicate: Int
    var rejected: Int

    var testDescription: String { path }

    static let all: [SampleCase] = [
        // cloudappevents/ — Defender streaming API records.
        SampleCase(path: "cloudappevents/defender-streaming-api_elastic-fixture_AdvancedHunting-CloudAppEvents_2022.ndjson",
                   source: .cloudAppEvents, shape: .defenderStreaming, read: 1, used: 1, duplicate: 0, rejected: 0),
        SampleCase(path: "cloudappevents/defender-streaming-api_graph2otel-verbatim_AdvancedHunting-CloudAppEvents_2026-07-18.json",
                   source: .cloudAppEvents, shape: .defenderStreaming, read: 1, used: 1, duplicate: 0, rejected: 0),
        SampleCase(path: "cloudappevents/defender-streaming-api_sekoia-fixtures_AdvancedHunting-CloudAppEvents.ndjson",
                   source: .cloudAppEvents, shape: .defenderStreaming, read: 4, used: 4, duplicate: 0, rejected: 0),
        // graph-api-signins/ — Graph REST objects: bare arrays (Extractor Suite), NDJSON, pages.
        SampleCase(path: "graph-api-signins/extractor-suite_beta-signins_managedIdentity_2025-05-02.json",
                   source: .managedIdentitySignInLogs, shape: .graphAPIArray, read: 28, used: 28, duplicate: 0, rejected: 0),
        SampleCase(path: "graph-api-signins/extractor-suite_beta-signins_servicePrincipal_2025-05-02_first150.json",
                   source: .servicePrincipalSignInLogs, shape: .graphAPIArray, read: 150, used: 150, duplicate: 0, rejected: 0),
        SampleCase(path: "graph-api-signins/graph-v1-signin_sekoia-fixture_2023.ndjson",
                   source: .signInLogs, shape: .graphAPIArray, read: 1, used: 1, duplicate: 0, rejected: 0),
        SampleCase(path: "graph-api-signins/msdocs-example_beta-list-signins_example1_duplicate-keys.json",
                   source: .signInLogs, shape: .graphAPIPage, read: 1, used: 1, duplicate: 0, rejected: 0),
        SampleCase(path: "graph-api-signins/msdocs-example_beta-list-signins_example2_nextLink.json",
                   source: .signInLogs, shape: .graphAPIPage, read: 1, used: 1, duplicate: 0, rejected: 0),
        // graphactivity/ — MicrosoftGraphActivityLogs, diagnostic settings. The elastic file's 6th
        // record re-delivers the 5th (same requestId and timeGenerated): one duplicate.
        SampleCase(path: "graphactivity/diagsettings_elastic-fixture_MicrosoftGraphActivityLogs_2024.ndjson",
                   source: .graphActivityLogs, shape: .diagnosticSettings, read: 6, used: 5, duplicate: 1, rejected: 0),
        SampleCase(path: "graphactivity/diagsettings_graph2otel-verbatim_MicrosoftGraphActivityLogs_2026-07-16.json",
                   source: .graphActivityLogs, shape: .diagnosticSettings, read: 1, used: 1, duplicate: 0, rejected: 0),
        SampleCase(path: "graphactivity/diagsettings_sekoia-fixtures_MicrosoftGraphActivityLogs_2024-2025.ndjson",
                   source: .graphActivityLogs, shape: .diagnosticSettings, read: 3, used: 3, duplicate: 0, rejected: 0),
        // noninteractive/
        SampleCase(path: "noninteractive/diagsettings_elastic-fixture_NonInteractiveUserSignInLogs_2022.ndjson",
                   source: .nonInteractiveSignInLogs, shape: .diagnosticSettings, read: 1, used: 1, duplicate: 0, rejected: 0),
        SampleCase(path: "noninteractive/diagsettings_sekoia-fixture_NonInteractiveUserSignInLogs_2025.ndjson",
                   source: .nonInteractiveSignInLogs, shape: .diagnosticSettings, read: 1, used: 1, duplicate: 0, rejected: 0),
        // serviceprincipal-managedidentity/ — including the `MicrosoftServicePrincipalSignInLogs` category.
        SampleCase(path: "serviceprincipal-managedidentity/diagsettings_elastic-fixture_ServicePrincipalSignInLogs_us-time-string-duration.ndjson",
                   source: .servicePrincipalSignInLogs, shape: .diagnosticSettings, read: 1, used: 1, duplicate: 0, rejected: 0),
        SampleCase(path: "serviceprincipal-managedidentity/diagsettings_graph2otel-verbatim_MicrosoftServicePrincipalSignInLogs_2026-07-16.json",
                   source: .servicePrincipalSignInLogs, shape: .diagnosticSettings, read: 1, used: 1, duplicate: 0, rejected: 0),
        SampleCase(path: "serviceprincipal-managedidentity/diagsettings_sekoia-fixture_ServicePrincipalSignInLogs_2025.ndjson",
                   source: .servicePrincipalSignInLogs, shape: .diagnosticSettings, read: 1, used: 1, duplicate: 0, rejected: 0),
        // signinlogs/ — the time-format file has `time` + `category` only: every record is refused.
        SampleCase(path: "signinlogs/diagsettings_elastic-fixture_SignInLogs_2022.ndjson",
                   source: .signInLogs, shape: .diagnosticSettings, read: 2, used: 2, duplicate: 0, rejected: 0),
        SampleCase(path: "signinlogs/diagsettings_elastic-fixture_envelope-time-format-variants.ndjson",
                   source: nil, shape: nil, read: 11, used: 0, duplicate: 0, rejected: 11),
        SampleCase(path: "signinlogs/diagsettings_sekoia-fixtures_SignInLogs_2022-2025.ndjson",
                   source: .signInLogs, shape: .diagnosticSettings, read: 6, used: 6, duplicate: 0, rejected: 0),
        SampleCase(path: "signinlogs/log-analytics-csv_SigninLogs_azure-sentinel-training-lab_2021_first4.csv",
                   source: .signInLogs, shape: .logAnalyticsCSV, read: 4, used: 4, duplicate: 0, rejected: 0),
        // unified-audit/ — the Management API file's records 8 and 9 are one audit record (same
        // Id 79971dfe-…, CreationTime and Operation; only an attachment name differs): one duplicate.
        SampleCase(path: "unified-audit/log-analytics-csv_OfficeActivity_azure-sentinel-training-lab_2021.csv",
                   source: .officeActivity, shape: .logAnalyticsCSV, read: 2, used: 2, duplicate: 0, rejected: 0),
        SampleCase(path: "unified-audit/o365-management-api_sekoia-fixtures_AuditData.ndjson",
                   source: .unifiedAuditLog, shape: .managementAPI, read: 25, used: 24, duplicate: 1, rejected: 0),
        SampleCase(path: "unified-audit/purview-export_huntress-ctf-2023_rogue-inbox.csv",
                   source: .unifiedAuditLog, shape: .purviewCSV, read: 219, used: 219, duplicate: 0, rejected: 0),
    ]
}

@Suite("Public samples", .enabled(if: samplesAvailable, "../shared/samples not found next to the package; sample tests skipped"))
struct SampleIngestTests {
    // MARK: - Every file: source, shape, counts

    @Test("every sample file is covered by a case")
    func everyFileHasACase() throws {
        let walker = try #require(FileManager.default.enumerator(atPath: samplesRoot.path))
        var files: [String] = []
        for case let relative as String in walker where !relative.hasSuffix("SOURCES.md") {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: samplePath(relative), isDirectory: &isDirectory), !isDirectory.boolValue {
                files.append(relative)
            }
        }
        #expect(Set(files) == Set(SampleCase.all.map(\.path)))
        #expect(files.count == 23)
    }

    @Test("source, shape and counts", arguments: SampleCase.all)
    func sourceShapeAndCounts(_ sample: SampleCase) {
        let (report, events) = ingestOne(samplePath(sample.path))
        #expect(report.unrecognised == nil)
        #expect(report.source == sample.source?.rawValue)
        #expect(report.shape == sample.shape?.rawValue)
        #expect(report.read == sample.read)
        #expect(report.used == sample.used)
        #expect(report.duplicate == sample.duplicate)
        #expect(report.rejected == sample.rejected)
        expectBalanced(report)
        #expect(events.count == sample.used)
        if let source = sample.source, let shape = sample.shape {
            #expect(events.allSatisfy { $0.source == source && $0.shape == shape })
            #expect(report.sources == [FileReport.SourceCount(source: source, shape: shape, records: sample.used + sample.duplicate)])
        } else {
            #expect(report.sources.isEmpty)
        }
    }

    @Test("all samples at once: totals balance; the msdocs pair is one record")
    func allSamplesTogether() {
        let result = Ingestor.ingest(files: SampleCase.all.map { samplePath($0.path) })
        #expect(result.files.count == SampleCase.all.count)
        expectBalanced(result)
        // The two msdocs examples hold the same sign-in (id 1691d37b-…, 2021-06-30T16:34:32Z):
        // the copy in the second file is a duplicate of the first.
        let msdocs2 = result.files.first { $0.path.hasSuffix("example2_nextLink.json") }
        #expect(msdocs2?.duplicate == 1)
        #expect(msdocs2?.used == 0)
        #expect(result.totals.duplicate == SampleCase.all.reduce(0) { $0 + $1.duplicate } + 1)
        #expect(result.totals.rejected == SampleCase.all.reduce(0) { $0 + $1.rejected })
        #expect(result.totals.read == SampleCase.all.reduce(0) { $0 + $1.read })
        #expect(result.totals.unrecognisedFiles == 0)
        // Events come out in time order.
        #expect(zip(result.events, result.events.dropFirst()).allSatisfy { $0.time <= $1.time })
        #expect(result.timeRange?.lowerBound.iso8601 == "2021-04-26T06:37:32Z")
        #expect(result.timeRange?.upperBound.iso8601 == "2026-07-18T16:57:49.239Z")
    }

    @Test("the samples folder with its SOURCES.md: the Markdown file is reported as not an export")
    func foldersWithProseFiles() throws {
        let result = try Ingestor.ingest(paths: [samplesRoot.path])
        #expect(result.files.count == SampleCase.all.count + 1)
        expectBalanced(result)
        let sources = try #require(result.files.first { $0.path.hasSuffix("SOURCES.md") })
        #expect(sources.used == 0)
        // Regression: SOURCES.md was read as a CSV and gave 131 rejected 'records'.
        #expect(sources.unrecognised != nil)
        #expect(sources.rejected == 0)
    }

    // MARK: - cloudappevents/

    @Test func cloudAppEventsElastic() throws {
        let (_, events) = ingestOne(samplePath("cloudappevents/defender-streaming-api_elastic-fixture_AdvancedHunting-CloudAppEvents_2022.ndjson"))
        let e = try event(events, record: 1)
        #expect(e.time.iso8601 == "2022-12-08T12:48:45.833Z")
        #expect(e.ipAddress == "81.2.69.142")
        #expect(e.userId == "007c979b-47e7-4747-b9a3-58de6bdb275a")
        #expect(e.operation == "Write Deployments")
        #expect(e.recordId == "366c7d2f964643f736af67ec54d23d4d729b1f17478ea94b05ad53a47a812345")
        #expect(e.sessionId == nil)
        #expect(e.uniqueTokenId == nil)
        #expect(e.kind == .action)
    }

    @Test func cloudAppEventsGraph2otel() throws {
        let (_, events) = ingestOne(samplePath("cloudappevents/defender-streaming-api_graph2otel-verbatim_AdvancedHunting-CloudAppEvents_2026-07-18.json"))
        let e = try event(events, record: 1)
        // `Timestamp`, not the envelope `time` (17:00:07) nor `_TimeReceivedBySvc`.
        #expect(e.time.iso8601 == "2026-07-18T16:57:49.239Z")
        #expect(e.ipAddress == "52.252.113.251")
        #expect(e.userId == "bbcfc3c5-0b93-4135-9ef9-18477a9fb504")
        #expect(e.userDisplayName == "Rob Knight")
        #expect(e.tenantId == "4b8c18bd-2f9f-4227-af55-9f1061cf9c32")
        #expect(e.sessionId == nil)
        #expect(e.uniqueTokenId == nil)
    }

    @Test func cloudAppEventsSekoia() throws {
        let (_, events) = ingestOne(samplePath("cloudappevents/defender-streaming-api_sekoia-fixtures_AdvancedHunting-CloudAppEvents.ndjson"))
        let first = try event(events, record: 1)
        #expect(first.time.iso8601 == "2023-09-29T11:40:30Z")
        #expect(first.operation == "AirInvestigationData")
        // The Exchange MailItemsAccessed row: IP from the row (canonical IPv6), UPN from RawEventData.UserId.
        let mail = try event(events, record: 3)
        #expect(mail.time.iso8601 == "2024-10-03T11:23:17Z")
        #expect(mail.operation == "MailItemsAccessed")
        #expect(mail.ipAddress == "fe80:11:2233:4455:6677:8899:aabb:ccdd")
        #expect(mail.userPrincipalName == "john.doe@example.com")
        #expect(mail.sessionId == nil)
        let teams = try event(events, record: 4)
        #expect(teams.time.iso8601 == "2024-10-28T14:18:38Z")
        #expect(teams.userPrincipalName == "john.doe@company.fr")
        #expect(teams.userId == "22222222-2222-2222-2222-222222222222")
    }

    // MARK: - graph-api-signins/

    @Test("Extractor Suite service principals: 150 records, decoded UTI == id in 150/150")
    func extractorSuiteServicePrincipal() throws {
        let (report, events) = ingestOne(samplePath("graph-api-signins/extractor-suite_beta-signins_servicePrincipal_2025-05-02_first150.json"))
        #expect(report.remarks.contains { $0.contains("byte-order mark") })
        #expect(events.count == 150)
        #expect(events.filter { $0.requestIdFromToken != nil && $0.requestIdFromToken == $0.requestId }.count == 150)
        // sessionId populated in 149/150, every value distinct; record 13 has "".
        let sessions = events.compactMap(\.sessionId)
        #expect(sessions.count == 149)
        #expect(Set(sessions).count == 149)
        #expect(sessions.allSatisfy { $0.hasPrefix("004ca149-") })
        #expect(events.allSatisfy { $0.kind == .signIn && $0.userPrincipalName == nil })

        let first = try event(events, record: 1)
        #expect(first.time.iso8601 == "2025-05-02T00:32:36Z")
        #expect(first.sessionId == "004ca149-c18f-a151-12cf-ebb662153620")
        #expect(first.sessionIdField == "SessionId")
        #expect(first.uniqueTokenId == "ByVTDAGxkECy8U12ji81AA")
        #expect(first.requestIdFromToken == "0c532507-b101-4090-b2f1-4d768e2f3500")
        #expect(first.requestId == "0c532507-b101-4090-b2f1-4d768e2f3500")
        #expect(first.ipAddress == "3.140.144.215")
        #expect(first.servicePrincipalId == "45d0cf74-062d-46a3-b00e-7841f50f10eb")
        #expect(first.appName == "Petra Forwarder")
        let thirteenth = try event(events, record: 13)
        #expect(thirteenth.sessionId == nil)
        let last = try event(events, record: 150)
        #expect(last.time.iso8601 == "2025-05-02T00:22:35Z")
        #expect(last.uniqueTokenId == "A5h-bR2DOUSK9vDxXsQ6AA")
        #expect(last.requestIdFromToken == "6d7e9803-831d-4439-8af6-f0f15ec43a00")
    }

    @Test("Extractor Suite managed identities: 28 records, decoded UTI == id in 28/28, sessionId \"\" everywhere")
    func extractorSuiteManagedIdentity() throws {
        let (_, events) = ingestOne(samplePath("graph-api-signins/extractor-suite_beta-signins_managedIdentity_2025-05-02.json"))
        #expect(events.count == 28)
        #expect(events.filter { $0.requestIdFromToken != nil && $0.requestIdFromToken == $0.requestId }.count == 28)
        #expect(events.allSatisfy { $0.sessionId == nil && $0.ipAddress == nil })
        let first = try event(events, record: 1)
        #expect(first.time.iso8601 == "2025-05-02T10:38:07Z")
        #expect(first.uniqueTokenId == "Rdwd2lRF4UKBin7iUvN8AA")
        #expect(first.requestIdFromToken == "da1ddc45-4554-42e1-818a-7ee252f37c00")
        #expect(first.servicePrincipalId == "3e3cdeeb-9575-46bc-a20a-6241f409a96b")
        let last = try event(events, record: 28)
        #expect(last.time.iso8601 == "2025-05-02T00:45:02Z")
        #expect(last.uniqueTokenId == "ex1lBJmyvU6plaNiLppeAA")
        #expect(last.requestIdFromToken == "04651d7b-b299-4ebd-a995-a3622e9a5e00")
    }

    @Test func graphV1Sekoia() throws {
        let (_, events) = ingestOne(samplePath("graph-api-signins/graph-v1-signin_sekoia-fixture_2023.ndjson"))
        let e = try event(events, record: 1)
        #expect(e.time.iso8601 == "2023-12-01T16:03:35Z")
        #expect(e.ipAddress == "192.0.2.1")
        #expect(e.userPrincipalName == "anonymized_value")
        #expect(e.interactive == true)
        #expect(e.sessionId == nil)
        #expect(e.uniqueTokenId == nil)
    }

    @Test("msdocs example 1: the duplicated uniqueTokenIdentifier key is read (last wins) with a note")
    func msdocsExample1() throws {
        let (_, events) = ingestOne(samplePath("graph-api-signins/msdocs-example_beta-list-signins_example1_duplicate-keys.json"))
        let e = try event(events, record: 1)
        #expect(e.time.iso8601 == "2021-06-30T16:34:32Z")
        #expect(e.uniqueTokenId == "ZTE0OTk3YTQtZjg5Mi00YjBiLWIwNTEtZmViZTA1YzJhNDli")
        // 48-char form: base64 of the ASCII GUID string. It does not equal `id` (hand-made example).
        #expect(e.requestIdFromToken == "e14997a4-f892-4b0b-b051-febe05c2a49b")
        #expect(e.requestId == "1691d37b-8579-43a7-966a-0f35583c1300")
        #expect(e.ipAddress == "131.107.159.37")
        #expect(e.userPrincipalName == "testaccount1@contoso.com")
        #expect(e.incomingTokenType == "primaryRefreshToken")
        #expect(hasNote(e, "uniqueTokenIdentifier", "more than once"))
        // The published example also repeats homeTenantId (two different values) and isTenantRestricted.
        #expect(hasNote(e, "homeTenantId", "more than once"))
        #expect(hasNote(e, "isTenantRestricted", "more than once"))
        #expect(e.tenantId == "99081087-73c4-48d1-a112-f60ff75114f7")  // resourceTenantId
    }

    @Test func msdocsExample2() throws {
        let (_, events) = ingestOne(samplePath("graph-api-signins/msdocs-example_beta-list-signins_example2_nextLink.json"))
        let e = try event(events, record: 1)
        #expect(e.time.iso8601 == "2021-06-30T16:34:32Z")
        #expect(e.requestIdFromToken == "e14997a4-f892-4b0b-b051-febe05c2a49b")
        #expect(e.userPrincipalName == "testaccount1@contoso.com")
        // Example 2 repeats homeTenantId and isTenantRestricted, but not uniqueTokenIdentifier.
        #expect(hasNote(e, "homeTenantId", "more than once"))
        #expect(hasNote(e, "isTenantRestricted", "more than once"))
        #expect(!hasNote(e, "uniqueTokenIdentifier"))
    }

    // MARK: - graphactivity/

    @Test("elastic MGAL: the re-delivered 6th record is a duplicate; placeholder UTIs do not decode")
    func graphActivityElastic() throws {
        let (_, events) = ingestOne(samplePath("graphactivity/diagsettings_elastic-fixture_MicrosoftGraphActivityLogs_2024.ndjson"))
        #expect(events.map(\.provenance.record).sorted() == [1, 2, 3, 4, 5])
        #expect(events.allSatisfy { $0.requestIdFromToken == nil })
        let first = try event(events, record: 1)
        #expect(first.time.iso8601 == "2024-03-07T11:47:00.644236Z")
        #expect(first.ipAddress == "2a02:cf40:add:4002:91f2:a9b2:e09a:6fc6")
        #expect(first.sessionId == nil)
        let second = try event(events, record: 2)
        #expect(second.time.iso8601 == "2024-03-07T10:35:31.959783Z")
        #expect(second.ipAddress == "81.2.69.143")
        #expect(second.userId == "b37ec517-0a34-4266-b627-f7bb0d679d70")
        let third = try event(events, record: 3)
        #expect(third.time.iso8601 == "2024-03-07T16:42:22.849140Z")
    }

    @Test func graphActivityGraph2otel() throws {
        let (_, events) = ingestOne(samplePath("graphactivity/diagsettings_graph2otel-verbatim_MicrosoftGraphActivityLogs_2026-07-16.json"))
        let e = try event(events, record: 1)
        #expect(e.time.iso8601 == "2026-07-16T02:00:45.015970Z")
        #expect(e.time.microseconds == 1_784_167_245_015_970)
        #expect(e.uniqueTokenId == "OPD3UZnmTkud24wRw6ATAA")
        #expect(e.requestIdFromToken == "51f7f038-e699-4b4e-9ddb-8c11c3a01300")
        #expect(e.ipAddress == "172.165.241.127")
        #expect(e.sessionId == nil)  // app-only token: no C_Sid
        #expect(e.servicePrincipalId == "87d30957-9758-4040-949e-9e9fe9c7cfcf")
        #expect(e.userId == nil)
        #expect(e.tokenIssuedAt?.iso8601 == "2026-07-16T01:04:37Z")
        #expect(e.recordId == "8a566ebb-77a1-4f60-9855-d4eb4019e562")
        #expect(e.resultCode == "200")
    }

    @Test func graphActivitySekoia() throws {
        let (_, events) = ingestOne(samplePath("graphactivity/diagsettings_sekoia-fixtures_MicrosoftGraphActivityLogs_2024-2025.ndjson"))
        let first = try event(events, record: 1)
        #expect(first.time.iso8601 == "2025-02-18T10:25:12.277914Z")
        #expect(first.uniqueTokenId == "JgW9XEOQM0WNakyHMghCAA")
        #expect(first.requestIdFromToken == "5cbd0526-9043-4533-8d6a-4c8732084200")
        #expect(first.ipAddress == "1.2.3.4")
        let third = try event(events, record: 3)
        #expect(third.time.iso8601 == "2025-10-02T08:56:25.071773Z")
        #expect(third.uniqueTokenId == "nCIzipjKBXc87y9rpX8dAA")
        #expect(third.requestIdFromToken == "8a33229c-ca98-7705-3cef-2f6ba57f1d00")
        // C_Sid is the placeholder 11111111-…: refused, with a note.
        #expect(third.sessionId == nil)
        #expect(hasNote(third, "C_Sid"))
        // tokenIssuedAt 2025-10-02T08:45:25 == C_Iat 1759394725 (epoch seconds).
        #expect(third.tokenIssuedAt?.iso8601 == "2025-10-02T08:45:25Z")
    }

    // MARK: - noninteractive/

    @Test func nonInteractiveElastic() throws {
        let (_, events) = ingestOne(samplePath("noninteractive/diagsettings_elastic-fixture_NonInteractiveUserSignInLogs_2022.ndjson"))
        let e = try event(events, record: 1)
        #expect(e.time.iso8601 == "2022-03-17T09:44:46.309742Z")
        #expect(e.uniqueTokenId == "MDg4YjQ0MDktOWU2My00MjVkLWI3NzctMmM4YzZjMzgwYjAw")
        #expect(e.requestIdFromToken == "088b4409-9e63-425d-b777-2c8c6c380b00")
        #expect(e.requestId == "088b4409-9e63-425d-b777-2c8c6c380b00")
        #expect(e.ipAddress == "81.2.69.143")
        #expect(e.userPrincipalName == "nikhita.sethi@cyberfortgroup.com")
        #expect(e.sessionId == nil)
        #expect(e.deviceId == "ef5d12a1-7768-4085-9047-5d33aee251fa")
        #expect(e.deviceName == "LW-TBSH006933")
        #expect(e.isCompliant == true)
        #expect(e.isManaged == true)
        #expect(e.trustType == "Azure AD joined")
        #expect(e.interactive == false)
        #expect(e.incomingTokenType == "none")
    }

    @Test func nonInteractiveSekoia() throws {
        let (_, events) = ingestOne(samplePath("noninteractive/diagsettings_sekoia-fixture_NonInteractiveUserSignInLogs_2025.ndjson"))
        let e = try event(events, record: 1)
        #expect(e.time.iso8601 == "2025-07-24T15:30:17.797441Z")
        #expect(e.uniqueTokenId == "URB3vEvKUUuClWlFhN4gAA")
        #expect(e.requestIdFromToken == "bc771051-ca4b-4b51-8295-694584de2000")
        #expect(e.ipAddress == "1.2.3.4")
        #expect(e.userPrincipalName == "john.doe@company.com")
        #expect(e.incomingTokenType == "primaryRefreshToken")
        // sessionId 22222222-2222-2222-2222-222222222222 is a placeholder.
        #expect(e.sessionId == nil)
        #expect(hasNote(e, "SessionId", "placeholder"))
    }

    // MARK: - serviceprincipal-managedidentity/

    @Test("elastic SP: the 17-char UTI 'mmmmmmmmmmmmmmmmm' is not a token id, and a note says why")
    func servicePrincipalElasticUSTime() throws {
        let (_, events) = ingestOne(samplePath("serviceprincipal-managedidentity/diagsettings_elastic-fixture_ServicePrincipalSignInLogs_us-time-string-duration.ndjson"))
        let e = try event(events, record: 1)
        // Event time is createdDateTime, not the envelope's US-format `time` (11/14/2025 1:48:53 AM).
        #expect(e.time.iso8601 == "2025-11-14T01:46:16.428297Z")
        #expect(e.uniqueTokenId == nil)
        #expect(e.requestIdFromToken == nil)
        #expect(hasNote(e, "UniqueTokenIdentifier", "mmmmmmmmmmmmmmmmm"))
        #expect(e.kind == .signIn)
    }

    @Test func servicePrincipalGraph2otel() throws {
        let (_, events) = ingestOne(samplePath("serviceprincipal-managedidentity/diagsettings_graph2otel-verbatim_MicrosoftServicePrincipalSignInLogs_2026-07-16.json"))
        let e = try event(events, record: 1)
        #expect(e.time.iso8601 == "2026-07-16T15:31:34.188186Z")
        #expect(e.ipAddress == "135.225.184.235")
        #expect(e.requestId == "5762b741-b128-4e73-80d4-f05a660c3b00")
        #expect(e.servicePrincipalId == "29f4d705-d0bf-42fa-ad8f-e7bd308e94cb")
        #expect(e.resultCode == "7000113")
        #expect(e.result == "failure")
        #expect(e.sessionId == nil)
        #expect(e.uniqueTokenId == nil)
    }

    @Test("sekoia SP: a GUID in the IP field is refused with a note")
    func servicePrincipalSekoiaGuidInIPField() throws {
        let (_, events) = ingestOne(samplePath("serviceprincipal-managedidentity/diagsettings_sekoia-fixture_ServicePrincipalSignInLogs_2025.ndjson"))
        let e = try event(events, record: 1)
        #expect(e.time.iso8601 == "2025-10-14T07:33:50.149897Z")
        #expect(e.ipAddress == nil)
        #expect(hasNote(e, "77777777-7777-7777-7777-777777777777", "not an IP"))
        #expect(e.sessionId == nil)  // 99999999-… placeholder
        #expect(e.requestIdFromToken == nil)  // "tOkEnIdEnTiFiEr123" does not decode
    }

    // MARK: - signinlogs/

    @Test func signInElastic2022() throws {
        let (_, events) = ingestOne(samplePath("signinlogs/diagsettings_elastic-fixture_SignInLogs_2022.ndjson"))
        let first = try event(events, record: 1)
        #expect(first.time.iso8601 == "2022-01-24T05:10:08.681666Z")
        #expect(first.uniqueTokenId == "OTMzZjIwYzAtZWZkZi00NzdmLTk1ODYtZTVjYzU2NmQyZTAw")
        #expect(first.requestIdFromToken == "933f20c0-efdf-477f-9586-e5cc566d2e00")
        #expect(first.requestId == first.requestIdFromToken)
        #expect(first.ipAddress == "1.128.3.4")
        #expect(first.userPrincipalName == "mpliftrelastic20210901@outlook.com")
        #expect(first.sessionId == nil)
        let second = try event(events, record: 2)
        #expect(second.time.iso8601 == "2022-01-24T05:10:12.244422Z")
        #expect(second.requestIdFromToken == "933f20c0-efdf-477f-9586-e5cc676f2e00")
        #expect(second.requestId == second.requestIdFromToken)
    }

    @Test("envelope-time-format-variants: 11 records, all rejected for missing properties")
    func envelopeTimeVariantsAreRejected() {
        let (report, events) = ingestOne(samplePath("signinlogs/diagsettings_elastic-fixture_envelope-time-format-variants.ndjson"))
        #expect(events.isEmpty)
        #expect(report.rejected == 11)
        #expect(report.rejections.count == 11)
        #expect(report.rejections.map(\.line) == Array(1...11))
        #expect(report.rejections.allSatisfy { $0.reason.contains("properties") })
    }

    @Test("the 11 `time` values of envelope-time-format-variants parse to 2007-01-09T09:41Z")
    func envelopeTimeVariantsParse() throws {
        let text = try String(contentsOfFile: samplePath("signinlogs/diagsettings_elastic-fixture_envelope-time-format-variants.ndjson"), encoding: .utf8)
        let times = try text.split(separator: "\n").map { line -> String in
            let value = try JSONParser.parse(Array(line.utf8))
            return try #require(value["time"]?.text)
        }
        // Expected instants computed by hand; `zoneStated == false` means the value carries no
        // zone and is read as UTC: the four US forms without an offset and the bare ISO form.
        let expected: [(String, String, Bool)] = [
            ("01/09/2007 09:41:00", "2007-01-09T09:41:00Z", false),
            ("1/9/2007 09:41:00", "2007-01-09T09:41:00Z", false),
            ("01/09/2007 09:41:00 AM", "2007-01-09T09:41:00Z", false),
            ("1/9/2007 9:41:00 AM", "2007-01-09T09:41:00Z", false),
            ("1/9/2007 10:41:00 AM +01:00", "2007-01-09T09:41:00Z", true),
            ("2007-01-09T09:41:00", "2007-01-09T09:41:00Z", false),
            ("2007-01-09T09:41:00.22Z", "2007-01-09T09:41:00.220Z", true),
            ("2007-01-09T09:41:00.6816663Z", "2007-01-09T09:41:00.681666Z", true),
            ("2007-01-09T09:41:00.535404056Z", "2007-01-09T09:41:00.535404Z", true),
            ("2007-01-09T09:41:00.992099+00:00", "2007-01-09T09:41:00.992099Z", true),
            ("2007-01-09T11:41:00+02:00", "2007-01-09T09:41:00Z", true),
        ]
        #expect(times == expected.map(\.0))
        let base = UTCInstant(seconds: 1_168_335_660)  // 2007-01-09T09:41:00Z
        for (raw, iso, zoneStated) in expected {
            let parsed = try TimestampParser.parse(raw).get()
            #expect(parsed.instant.iso8601 == iso, "\(raw)")
            #expect(parsed.zoneStated == zoneStated, "\(raw)")
            #expect(parsed.instant.microseconds - base.microseconds < 1_000_000 && parsed.instant >= base, "\(raw)")
        }
    }

    @Test func signInSekoia() throws {
        let (_, events) = ingestOne(samplePath("signinlogs/diagsettings_sekoia-fixtures_SignInLogs_2022-2025.ndjson"))
        // Placeholder UTIs (aaaa…, 5555…, 1111…) are refused.
        for record in [1, 3, 4, 6] {
            let e = try event(events, record: record)
            #expect(e.uniqueTokenId == nil, "record \(record)")
            #expect(hasNote(e, "UniqueTokenIdentifier", "placeholder"), "record \(record)")
        }
        let second = try event(events, record: 2)
        #expect(second.time.iso8601 == "2022-03-31T12:26:46.019095Z")
        #expect(second.requestIdFromToken == "8795994f-0bb8-46d7-8797-8c9c385d5900")
        let fifth = try event(events, record: 5)
        #expect(fifth.time.iso8601 == "2025-02-17T08:35:37.654480Z")
        #expect(fifth.uniqueTokenId == "aEQ2qLOsqkS86zz3OHIeAA")
        #expect(fifth.requestIdFromToken == "a8364468-acb3-44aa-bceb-3cf738721e00")
        #expect(fifth.userPrincipalName == "john.doe@example.com")
        let sixth = try event(events, record: 6)
        #expect(sixth.time.iso8601 == "2022-04-05T13:07:16.779653Z")
        #expect(sixth.ipAddress == "2001:db8:85a3::8a2e:370:7334")
    }

    @Test("Log Analytics CSV (2021): US times with comma, JSON-in-string cells with newlines")
    func signInLogAnalyticsCSV() throws {
        let (_, events) = ingestOne(samplePath("signinlogs/log-analytics-csv_SigninLogs_azure-sentinel-training-lab_2021_first4.csv"))
        let first = try event(events, record: 1)
        #expect(first.time.iso8601 == "2021-04-28T14:08:45.221Z")
        #expect(first.ipAddress == "175.45.176.99")
        #expect(first.userPrincipalName == "adelev@m365x816222.onmicrosoft.com")
        #expect(first.requestId == "cfb68155-70f5-4e28-b046-0a3a7086c401")
        #expect(first.userId == "9b117c67-170e-4aed-9702-658b3fddc889")
        #expect(first.sessionId == nil)
        #expect(first.uniqueTokenId == nil)
        #expect(first.interactive == true)
        #expect(first.operatingSystem == "Windows 10")
        #expect(first.browser == "Edge 90.0.818")
        #expect(first.city == "Azor")
        #expect(first.country == "IL")
        #expect(first.resultCode == "0")
        #expect(first.appName == "Azure Portal")
        let fourth = try event(events, record: 4)
        #expect(fourth.time.iso8601 == "2021-04-28T14:28:06.249Z")
        #expect(fourth.requestId == "b862bbd8-080c-47f4-8d77-b0c902505c01")
    }

    // MARK: - unified-audit/

    @Test func officeActivityCSV() throws {
        let (_, events) = ingestOne(samplePath("unified-audit/log-analytics-csv_OfficeActivity_azure-sentinel-training-lab_2021.csv"))
        let first = try event(events, record: 1)
        #expect(first.time.iso8601 == "2021-04-26T07:17:10Z")
        // ClientIP "[2a01:110:8068:7:9bf8:aa87:e00a:5f1f]:36185": brackets and port removed.
        #expect(first.ipAddress == "2a01:110:8068:7:9bf8:aa87:e00a:5f1f")
        #expect(first.userPrincipalName == "adelev@contoso.onmicrosoft.com")
        #expect(first.operation == "New-InboxRule")
        #expect(first.recordId == "d28096ba-03b1-4c2a-1503-08d908826606")
        #expect(first.sessionId == nil)
        #expect(hasNote(first, "no session"))
        let second = try event(events, record: 2)
        #expect(second.time.iso8601 == "2021-04-26T06:37:32Z")
        #expect(second.ipAddress == "2a01:110:8068:7:9bf8:aa87:e00a:5f1f")
    }

    @Test func managementAPI() throws {
        let (_, events) = ingestOne(samplePath("unified-audit/o365-management-api_sekoia-fixtures_AuditData.ndjson"))
        // Record 9 repeats record 8.
        #expect(!events.contains { $0.provenance.record == 9 })
        let logon = try event(events, record: 1)
        #expect(logon.kind == .signIn)
        #expect(logon.time.iso8601 == "2023-08-22T13:51:38Z")
        #expect(hasNote(logon, "no zone"))
        #expect(logon.sessionId == nil)  // DeviceProperties SessionId "8e2cdebf" is not GUID-shaped
        #expect(hasNote(logon, "DeviceProperties.SessionId"))
        #expect(logon.ipAddress == "1.2.3.4")
        #expect(logon.interactive == false)  // RequestType OAuth2:Token is a token redemption
        // Anonymised sid of the wrong length is refused.
        let logon2 = try event(events, record: 2)
        #expect(logon2.sessionId == nil)
        #expect(hasNote(logon2, "1584fd84-0508-419e-b678-ac60c80000000000"))
        let exchange = try event(events, record: 3)
        #expect(exchange.time.iso8601 == "2022-04-05T20:35:01Z")
        #expect(exchange.sessionId == "8ad3822b-1cfd-40e7-aeaa-6d0708691ad8")
        #expect(exchange.sessionIdField == "SessionId")
        let softDelete = try event(events, record: 8)
        #expect(softDelete.sessionId == "98fb5d83-9a00-4efc-816e-22f61c2d7733")
        #expect(softDelete.sessionIdField == "AppAccessContext.AADSessionId")
        #expect(softDelete.uniqueTokenId == nil)  // "0000000000000000000000"
        #expect(softDelete.tokenIssuedAt?.iso8601 == "2025-09-23T09:13:33Z")
        let ipv6 = try event(events, record: 11)
        #expect(ipv6.ipAddress == "fe80::")
        let inboxRule = try event(events, record: 12)
        #expect(inboxRule.time.iso8601 == "2023-05-24T15:10:53Z")
        #expect(inboxRule.ipAddress == "1.2.3.4")  // "1.2.3.4:63070"
        #expect(inboxRule.sessionId == "984c0958-0631-4b90-b116-15094fc36847")
        #expect(inboxRule.operation == "New-InboxRule")
        let teams = try event(events, record: 24)
        #expect(teams.uniqueTokenId == "mYyWp_-UrEa4Z_pZM7FlAA")
        #expect(teams.requestIdFromToken == "a7968c99-94ff-46ac-b867-fa5933b16500")
        #expect(teams.tokenIssuedAt?.iso8601 == "2024-06-10T06:51:28Z")
    }

    @Test("Huntress Purview export: 219 records, the session chain and the Exchange token")
    func purviewHuntress() throws {
        let (report, events) = ingestOne(samplePath("unified-audit/purview-export_huntress-ctf-2023_rogue-inbox.csv"))
        #expect(report.read == 219)
        #expect(events.count == 219)
        #expect(events.filter { $0.kind == .signIn }.count == 21)  // RecordType 15
        #expect(events.first?.time.iso8601 == "2023-09-20T04:05:03Z")
        #expect(events.last?.time.iso8601 == "2023-09-26T02:17:32Z")

        // Session 9dfdecb6-…: DeviceProperties on 15 STS logons, top-level SessionId on 38
        // New-InboxRule records, AppAccessContext.AADSessionId on 16 OneDrive records (SOURCES.md
        // says 15; the raw file has 16 OneDrive records with that AADSessionId).
        let attacker = "9dfdecb6-59a0-4714-846e-86c0fc911104"
        let chain = events.filter { $0.sessionId == attacker }
        #expect(chain.count == 69)
        #expect(chain.filter { $0.sessionIdField == "DeviceProperties.SessionId" }.count == 15)
        #expect(chain.filter { $0.sessionIdField == "SessionId" }.count == 38)
        #expect(chain.filter { $0.sessionIdField == "AppAccessContext.AADSessionId" }.count == 16)
        #expect(chain.filter { $0.sessionIdField == "SessionId" }.allSatisfy { $0.operation == "New-InboxRule" })
        #expect(chain.filter { $0.sessionIdField == "AppAccessContext.AADSessionId" }.allSatisfy { $0.workload == "OneDrive" })
        #expect(chain.filter { $0.sessionIdField == "DeviceProperties.SessionId" }.allSatisfy { $0.kind == .signIn })
        // The second session (AlexW) is on 5 STS logons.
        #expect(events.filter { $0.sessionId == "875d65bf-f95f-4f99-a593-e5258ee48003" }.count == 5)
        #expect(events.filter { $0.sessionId != nil }.count == 74)

        // UniqueTokenId: non-empty in 60 records (all decodable), "" in 51 (no token, no note).
        #expect(events.filter { $0.uniqueTokenId != nil }.count == 60)
        #expect(events.filter { $0.requestIdFromToken != nil }.count == 60)
        #expect(!events.contains { hasNote($0, "UniqueTokenId") })

        // The Exchange token 3kVZRE8tFkinHtPA7_EFAA decodes to the Id of the STS logon that minted it.
        let rule = try #require(events.first { $0.uniqueTokenId == "3kVZRE8tFkinHtPA7_EFAA" })
        #expect(rule.requestIdFromToken == "445945de-2d4f-4816-a71e-d3c0eff10500")
        #expect(rule.tokenIssuedAt?.iso8601 == "2023-09-26T01:47:34Z")
        #expect(rule.sessionId == attacker)
        #expect(rule.ipAddress == "185.73.124.135")  // ClientIP "185.73.124.135:19823"
        #expect(rule.userPrincipalName == "debrab@m365b132131.onmicrosoft.com")
        let logon = try #require(events.first { $0.requestId == "445945de-2d4f-4816-a71e-d3c0eff10500" })
        #expect(logon.kind == .signIn)
        #expect(logon.operation == "UserLoggedIn")
        #expect(logon.time.iso8601 == "2023-09-26T01:52:34Z")
        #expect(logon.sessionId == attacker)
        #expect(logon.sessionIdField == "DeviceProperties.SessionId")
        #expect(logon.resource == "00000002-0000-0ff1-ce00-000000000000")
        #expect(logon.ipAddress == "185.73.124.135")
        #expect(logon.operatingSystem == "MacOs")
        #expect(logon.browser == "Firefox")
        // 38 Exchange records carry a token whose decoded id is an STS logon's Id.
        let logonIds = Set(events.filter { $0.kind == .signIn }.compactMap(\.requestId))
        #expect(events.filter { $0.requestIdFromToken.map(logonIds.contains) == true }.count == 38)
        // The failed logon has no SessionId device property.
        let failed = try #require(events.first { $0.operation == "UserLoginFailed" })
        #expect(failed.sessionId == nil)
        #expect(failed.result == "failure")
    }
}
