import Foundation
import Testing
@testable import SessionGraph

// The project's own fixtures, written from strings into a temporary folder: one per export
// shape (schemas.md §2.1, §3, §4.2, §5.2), then the hostile ones. Expected values are worked
// out by hand from the fixture text (UTIs: base64url of the request id's .NET GUID bytes,
// computed with python3 `uuid.UUID(...).bytes_le`).

/// Writes `files` (name → content) into a fresh folder and ingests the folder.
private func ingestFixtures(_ files: [(String, String)]) throws -> IngestResult {
    let scratch = try Scratch()
    for (name, text) in files { try scratch.write(name, text) }
    return try Ingestor.ingest(paths: [scratch.url.path])
}

/// Writes one file and ingests it.
private func ingestFixture(_ name: String, _ text: String) throws -> (report: FileReport, events: [Event]) {
    let result = try ingestFixtures([(name, text)])
    expectBalanced(result)
    return (result.files[0], result.events)
}

private func ingestBytes(_ name: String, _ bytes: [UInt8]) throws -> (report: FileReport, events: [Event], result: IngestResult) {
    let scratch = try Scratch()
    let path = try scratch.write(name, bytes: bytes)
    let result = Ingestor.ingest(files: [path])
    expectBalanced(result)
    return (result.files[0], result.events, result)
}

// Identifiers used across the fixtures.
private enum ID {
    static let req1 = "4c7e1b2a-9d3f-4e51-8a6b-0c2d3e4f5a00"
    static let uti1 = "Kht-TD-dUU6KawwtPk9aAA"  // decodes to req1
    static let uti1ASCII = "NGM3ZTFiMmEtOWQzZi00ZTUxLThhNmItMGMyZDNlNGY1YTAw"  // base64("4c7e1b2a-…")
    static let req2 = "5d8f2c3b-ae40-4f62-9b7c-1d3e4f5a6b01"
    static let uti2 = "OyyPXUCuYk-bfB0-T1prAQ"  // decodes to req2
    static let req3 = "6e9a3d4c-bf51-4a73-8c8d-2e4f5a6b7c02"
    static let uti3 = "TD2ablG_c0qMjS5PWmt8Ag"  // decodes to req3
    static let req4 = "7fab4e5d-c062-4b84-9d9e-3f5a6b7c8d03"
    static let uti4 = "XU6rf2LAhEudnj9aa3yNAw"  // decodes to req4
    static let sidUpper = "00AA1B2C-3D4E-5F60-7182-93A4B5C6D7E8"
    static let sid = "00aa1b2c-3d4e-5f60-7182-93a4b5c6d7e8"
    static let alice = "a11ce000-1111-4222-8333-944455556666"
    static let tenant = "7e7e7e7e-0000-4000-8000-00000000000a"
    static let workspace = "3c3c3c3c-0000-4000-8000-00000000000b"
    static let device = "de71ce00-aaaa-4bbb-8ccc-dddddddddddd"
}

/// One diagnostic-settings sign-in line (NonInteractiveUserSignInLogs unless told).
private func diagSignIn(id: String, created: String, envelopeTime: String, uti: String, category: String = "NonInteractiveUserSignInLogs", ip: String = "203.0.113.10") -> String {
    #"{"time":"\#(envelopeTime)","resourceId":"/tenants/\#(ID.tenant)/providers/Microsoft.aadiam","operationName":"Sign-in activity","category":"\#(category)","tenantId":"\#(ID.tenant)","resultType":"0","callerIpAddress":"\#(ip)","correlationId":"c0c0c0c0-0000-4000-8000-000000000001","Level":4,"properties":{"id":"\#(id)","createdDateTime":"\#(created)","userPrincipalName":"alice@contoso.example","userId":"\#(ID.alice)","appDisplayName":"Microsoft Office","ipAddress":"\#(ip)","sessionId":"\#(ID.sid)","uniqueTokenIdentifier":"\#(uti)","isInteractive":false,"status":{"errorCode":0},"deviceDetail":{"deviceId":"","operatingSystem":"Windows 10"}}}"#
}

@Suite("Fixture ingest: export shapes and hostile input")
struct FixtureIngestTests {
    // MARK: - Export shapes

    @Test("Log Analytics JSON array: PascalCase rows, Type column, nested column as object or string")
    func logAnalyticsJSONArray() throws {
        let text = #"""
        [
          {"TenantId":"3c3c3c3c-0000-4000-8000-00000000000b","Type":"SigninLogs","TimeGenerated":"2024-03-01T10:00:05Z","CreatedDateTime":"2024-03-01T10:00:00.1234567Z","Id":"4c7e1b2a-9d3f-4e51-8a6b-0c2d3e4f5a00","SessionId":"00AA1B2C-3D4E-5F60-7182-93A4B5C6D7E8","UniqueTokenIdentifier":"Kht-TD-dUU6KawwtPk9aAA","UserPrincipalName":"Alice@Contoso.example","UserId":"a11ce000-1111-4222-8333-944455556666","ResourceTenantId":"7e7e7e7e-0000-4000-8000-00000000000a","IPAddress":"203.0.113.10","AutonomousSystemNumber":64500,"IsInteractive":true,"DeviceDetail":{"deviceId":"de71ce00-aaaa-4bbb-8ccc-dddddddddddd","operatingSystem":"Windows 10","browser":"Edge 120.0.0","trustType":"Azure AD joined","isCompliant":true,"isManaged":true},"LocationDetails":{"city":"Zurich","countryOrRegion":"CH","geoCoordinates":{"latitude":47.37,"longitude":8.54}},"ResultType":"0","AppDisplayName":"Microsoft Office","IncomingTokenType":"none"},
          {"TenantId":"3c3c3c3c-0000-4000-8000-00000000000b","Type":"AADNonInteractiveUserSignInLogs","TimeGenerated":"2024-03-01T10:05:30Z","CreatedDateTime":"2024-03-01T10:05:00Z","Id":"5d8f2c3b-ae40-4f62-9b7c-1d3e4f5a6b01","SessionId":"00aa1b2c-3d4e-5f60-7182-93a4b5c6d7e8","UniqueTokenIdentifier":"OyyPXUCuYk-bfB0-T1prAQ","UserPrincipalName":"alice@contoso.example","IPAddress":"198.51.100.7","AutonomousSystemNumber":"64501","IsInteractive":false,"DeviceDetail":"{\"deviceId\":\"de71ce00-aaaa-4bbb-8ccc-dddddddddddd\",\"operatingSystem\":\"Windows 10\",\"isCompliant\":true}","ResultType":"50140","AppDisplayName":"Microsoft Office","IncomingTokenType":"primaryRefreshToken"}
        ]
        """#
        let (report, events) = try ingestFixture("la-signins.json", text)
        #expect(report.read == 2 && report.used == 2 && report.rejected == 0)
        #expect(report.source == "mixed")
        #expect(report.shape == ExportShape.logAnalyticsJSON.rawValue)
        #expect(report.format == "json")
        let interactive = try event(events, record: 1)
        #expect(interactive.source == .signInLogs)
        #expect(interactive.shape == .logAnalyticsJSON)
        #expect(interactive.kind == .signIn)
        #expect(interactive.time.iso8601 == "2024-03-01T10:00:00.123456Z")  // CreatedDateTime, not TimeGenerated
        #expect(interactive.sessionId == ID.sid)
        #expect(interactive.sessionIdField == "SessionId")
        #expect(interactive.uniqueTokenId == ID.uti1)
        #expect(interactive.requestIdFromToken == ID.req1)
        #expect(interactive.requestId == ID.req1)
        #expect(interactive.userPrincipalName == "alice@contoso.example")
        #expect(interactive.tenantId == ID.tenant)  // not the workspace TenantId
        #expect(interactive.ipAddress == "203.0.113.10")
        #expect(interactive.asn == 64500)
        #expect(interactive.interactive == true)
        #expect(interactive.deviceId == ID.device)
        #expect(interactive.trustType == "Azure AD joined")
        #expect(interactive.isCompliant == true && interactive.isManaged == true)
        #expect(interactive.city == "Zurich" && interactive.country == "CH")
        #expect(interactive.latitude == 47.37 && interactive.longitude == 8.54)
        #expect(interactive.result == "success")
        #expect(interactive.provenance.line == 2)
        let refresh = try event(events, record: 2)
        #expect(refresh.source == .nonInteractiveSignInLogs)
        #expect(refresh.time.iso8601 == "2024-03-01T10:05:00Z")
        #expect(refresh.requestIdFromToken == ID.req2)
        #expect(refresh.asn == 64501)  // number as a string
        #expect(refresh.deviceId == ID.device)  // DeviceDetail as JSON text
        #expect(refresh.operatingSystem == "Windows 10")
        #expect(refresh.isCompliant == true)
        #expect(refresh.interactive == false)
        #expect(refresh.resultCode == "50140" && refresh.result == "failure")
        #expect(refresh.incomingTokenType == "primaryRefreshToken")
        #expect(refresh.provenance.line == 3)
    }

    @Test("Log Analytics NDJSON: Graph activity rows")
    func logAnalyticsNDJSON() throws {
        let text = #"""
        {"TenantId":"3c3c3c3c-0000-4000-8000-00000000000b","AadTenantId":"7e7e7e7e-0000-4000-8000-00000000000a","Type":"MicrosoftGraphActivityLogs","TimeGenerated":"2024-03-01T10:06:00.5Z","RequestId":"9a9a9a9a-0000-4000-8000-000000000001","SessionId":"00AA1B2C-3D4E-5F60-7182-93A4B5C6D7E8","SignInActivityId":"OyyPXUCuYk-bfB0-T1prAQ","TokenIssuedAt":"2024-03-01T10:04:55Z","UserId":"a11ce000-1111-4222-8333-944455556666","IPAddress":"203.0.113.10","RequestMethod":"GET","RequestUri":"https://graph.microsoft.com/v1.0/me/messages?$top=50","ResponseStatusCode":200,"Scopes":"Mail.Read User.Read"}
        {"TenantId":"3c3c3c3c-0000-4000-8000-00000000000b","AadTenantId":"7e7e7e7e-0000-4000-8000-00000000000a","Type":"MicrosoftGraphActivityLogs","TimeGenerated":"2024-03-01T10:07:00Z","RequestId":"9a9a9a9a-0000-4000-8000-000000000002","SignInActivityId":"TD2ablG_c0qMjS5PWmt8Ag","ServicePrincipalId":"5e5e5e5e-0000-4000-8000-000000000005","IPAddress":"20.190.0.1","RequestMethod":"POST","RequestUri":"https://graph.microsoft.com/v1.0/users","ResponseStatusCode":403}
        """#
        let (report, events) = try ingestFixture("mgal.ndjson", text)
        #expect(report.read == 2 && report.used == 2)
        #expect(report.source == LogSource.graphActivityLogs.rawValue)
        #expect(report.shape == ExportShape.logAnalyticsNDJSON.rawValue)
        let delegated = try event(events, record: 1)
        #expect(delegated.kind == .action)
        #expect(delegated.time.iso8601 == "2024-03-01T10:06:00.500Z")
        #expect(delegated.sessionId == ID.sid)
        #expect(delegated.uniqueTokenId == ID.uti2)
        #expect(delegated.requestIdFromToken == ID.req2)
        #expect(delegated.tokenIssuedAt?.iso8601 == "2024-03-01T10:04:55Z")
        #expect(delegated.tenantId == ID.tenant)  // AadTenantId, not the workspace
        #expect(delegated.userId == ID.alice)
        #expect(delegated.operation == "GET https://graph.microsoft.com/v1.0/me/messages?$top=50")
        #expect(delegated.resultCode == "200" && delegated.result == "success")
        let appOnly = try event(events, record: 2)
        #expect(appOnly.sessionId == nil)
        #expect(appOnly.servicePrincipalId == "5e5e5e5e-0000-4000-8000-000000000005")
        #expect(appOnly.requestIdFromToken == ID.req3)
        #expect(appOnly.provenance.line == 2)
        #expect(appOnly.result == "failure")
    }

    @Test("Log Analytics CSV: [UTC] headers, US times with comma, TRUE/FALSE, JSON cells with newlines and doubled quotes")
    func logAnalyticsCSV() throws {
        let text = #"""
        TenantId,TimeGenerated [UTC],CreatedDateTime [UTC],Id,SessionId,UniqueTokenIdentifier,UserPrincipalName,IPAddress,IsInteractive,DeviceDetail,AuthenticationDetails,ResultType,AppDisplayName,Type
        3c3c3c3c-0000-4000-8000-00000000000b,"4/28/2021, 2:08:46.000 PM","4/28/2021, 2:08:45.221 PM",4c7e1b2a-9d3f-4e51-8a6b-0c2d3e4f5a00,00AA1B2C-3D4E-5F60-7182-93A4B5C6D7E8,Kht-TD-dUU6KawwtPk9aAA,Adele@Contoso.example,175.45.176.99,TRUE,"{""deviceId"":"""",""operatingSystem"":""Windows 10"",""browser"":""Edge 90.0.818""}","[
          {
            ""authenticationMethod"": ""Password"",
            ""succeeded"": true
          }
        ]",0,Azure Portal,SigninLogs
        3c3c3c3c-0000-4000-8000-00000000000b,"4/28/2021, 12:00:02.000 AM","4/28/2021, 12:00:01.500 AM",5d8f2c3b-ae40-4f62-9b7c-1d3e4f5a6b01,00aa1b2c-3d4e-5f60-7182-93a4b5c6d7e8,OyyPXUCuYk-bfB0-T1prAQ,adele@contoso.example,175.45.176.99,FALSE,"{
          ""deviceId"": ""de71ce00-aaaa-4bbb-8ccc-dddddddddddd"",
          ""operatingSystem"": ""iOS 17"",
          ""displayName"": ""Adele's \""work\"" iPhone""
        }",[],50126,Outlook Mobile,AADNonInteractiveUserSignInLogs
        """#
        let (report, events) = try ingestFixture("signins.csv", text)
        #expect(report.format == "csv")
        #expect(report.read == 2 && report.used == 2 && report.rejected == 0)
        #expect(report.shape == ExportShape.logAnalyticsCSV.rawValue)
        let first = try event(events, record: 1)
        #expect(first.source == .signInLogs)
        #expect(first.time.iso8601 == "2021-04-28T14:08:45.221Z")
        #expect(first.sessionId == ID.sid)
        #expect(first.requestIdFromToken == ID.req1)
        #expect(first.userPrincipalName == "adele@contoso.example")
        #expect(first.interactive == true)
        #expect(first.deviceId == nil)  // "" is absent
        #expect(first.operatingSystem == "Windows 10")
        #expect(first.browser == "Edge 90.0.818")
        #expect(first.resultCode == "0")
        #expect(first.provenance.line == 2)
        let second = try event(events, record: 2)
        #expect(second.source == .nonInteractiveSignInLogs)
        #expect(second.time.iso8601 == "2021-04-28T00:00:01.500Z")  // 12 AM is midnight
        #expect(second.interactive == false)
        #expect(second.deviceId == ID.device)
        #expect(second.operatingSystem == "iOS 17")
        #expect(second.deviceName == #"Adele's "work" iPhone"#)
        #expect(second.result == "failure")
        #expect(second.provenance.line == 8)  // row 1 spans lines 2–7
    }

    @Test("diagnostic settings, one record per line with CRLF (PT1H.json)")
    func diagnosticSettingsLines() throws {
        let lines = [
            diagSignIn(id: ID.req1, created: "2024-03-01T10:05:00.1234567+00:00", envelopeTime: "2024-03-01T10:20:00.0000000Z", uti: ID.uti1),
            diagSignIn(id: ID.req2, created: "2024-03-01T05:06:00-05:00", envelopeTime: "2024-03-01T10:30:00.0000000Z", uti: ID.uti2),
        ]
        let (report, events) = try ingestFixture("PT1H.json", lines.joined(separator: "\r\n") + "\r\n")
        #expect(report.read == 2 && report.used == 2)
        #expect(report.source == LogSource.nonInteractiveSignInLogs.rawValue)
        #expect(report.shape == ExportShape.diagnosticSettings.rawValue)
        let first = try event(events, record: 1)
        #expect(first.time.iso8601 == "2024-03-01T10:05:00.123456Z")  // createdDateTime, not envelope time
        #expect(first.sessionId == ID.sid)
        #expect(first.requestIdFromToken == ID.req1)
        #expect(first.tenantId == ID.tenant)
        #expect(first.provenance.line == 1)
        let second = try event(events, record: 2)
        #expect(second.time.iso8601 == "2024-03-01T10:06:00Z")  // -05:00 converted
        #expect(second.provenance.line == 2)
    }

    @Test("diagnostic settings as an Event Hub message {\"records\": [...]}, two categories")
    func diagnosticSettingsRecordsEnvelope() throws {
        let mgal = #"{"time":"2024-03-01T10:07:00.0000000Z","category":"MicrosoftGraphActivityLogs","operationName":"Microsoft Graph Activity","callerIpAddress":"203.0.113.10","correlationId":"9a9a9a9a-0000-4000-8000-000000000003","durationMs":"1234","properties":{"timeGenerated":"2024-03-01T10:07:00.0000000Z","requestId":"9a9a9a9a-0000-4000-8000-000000000003","C_Sid":"00AA1B2C-3D4E-5F60-7182-93A4B5C6D7E8","signInActivityId":"Kht-TD-dUU6KawwtPk9aAA","C_Iat":"1709287200","userId":"a11ce000-1111-4222-8333-944455556666","tenantId":"7e7e7e7e-0000-4000-8000-00000000000a","requestMethod":"GET","requestUri":"https://graph.microsoft.com/v1.0/me","responseStatusCode":200,"ipAddress":"203.0.113.10"}}"#
        let text = "{\"records\": [\n" + diagSignIn(id: ID.req1, created: "2024-03-01T10:00:00Z", envelopeTime: "2024-03-01T10:15:00Z", uti: ID.uti1, category: "SignInLogs") + ",\n" + mgal + "\n]}\n"
        let (report, events) = try ingestFixture("eventhub.json", text)
        #expect(report.read == 2 && report.used == 2)
        #expect(report.shape == ExportShape.diagnosticSettings.rawValue)
        #expect(report.source == "mixed")
        #expect(Set(report.sources.map(\.source)) == [.signInLogs, .graphActivityLogs])
        let signIn = try event(events, record: 1)
        #expect(signIn.source == .signInLogs && signIn.shape == .diagnosticSettings)
        #expect(signIn.provenance.line == 2)
        let call = try event(events, record: 2)
        #expect(call.source == .graphActivityLogs)
        #expect(call.sessionId == ID.sid)
        #expect(call.sessionIdField == "C_Sid")
        #expect(call.requestIdFromToken == ID.req1)
        #expect(call.tokenIssuedAt?.iso8601 == "2024-03-01T10:00:00Z")  // C_Iat epoch seconds as a string
        #expect(call.tenantId == ID.tenant)
        #expect(call.provenance.line == 3)
    }

    @Test("Graph page with @odata.nextLink")
    func graphPage() throws {
        let text = #"""
        {
          "@odata.context": "https://graph.microsoft.com/beta/$metadata#auditLogs/signIns",
          "@odata.nextLink": "https://graph.microsoft.com/beta/auditLogs/signIns?$top=2&$skiptoken=3cff228c",
          "value": [
            {
              "id": "4c7e1b2a-9d3f-4e51-8a6b-0c2d3e4f5a00",
              "createdDateTime": "2024-03-01T10:00:00Z",
              "userPrincipalName": "alice@contoso.example",
              "appDisplayName": "Azure Portal",
              "ipAddress": "2001:db8::10",
              "sessionId": "00aa1b2c-3d4e-5f60-7182-93a4b5c6d7e8",
              "uniqueTokenIdentifier": "Kht-TD-dUU6KawwtPk9aAA",
              "signInEventTypes": ["interactiveUser"],
              "incomingTokenType": "Primary Refresh Token",
              "status": {"errorCode": 0, "failureReason": "Other."}
            },
            {
              "id": "5d8f2c3b-ae40-4f62-9b7c-1d3e4f5a6b01",
              "createdDateTime": "2024-03-01T10:05:00Z",
              "userPrincipalName": "alice@contoso.example",
              "appDisplayName": "Microsoft Teams",
              "ipAddress": "2001:db8::10",
              "sessionId": "00aa1b2c-3d4e-5f60-7182-93a4b5c6d7e8",
              "uniqueTokenIdentifier": "OyyPXUCuYk-bfB0-T1prAQ",
              "signInEventTypes": ["nonInteractiveUser"],
              "status": {"errorCode": 50126}
            }
          ]
        }
        """#
        let (report, events) = try ingestFixture("signins-page1.json", text)
        #expect(report.read == 2 && report.used == 2)
        #expect(report.shape == ExportShape.graphAPIPage.rawValue)
        let first = try event(events, record: 1)
        #expect(first.source == .signInLogs)
        #expect(first.incomingTokenType == "primaryRefreshToken")  // display text normalised
        #expect(first.ipAddress == "2001:db8::10")
        #expect(first.requestIdFromToken == ID.req1)
        #expect(first.resultCode == "0")
        #expect(first.provenance.line == 5)
        let second = try event(events, record: 2)
        #expect(second.source == .nonInteractiveSignInLogs)
        #expect(second.resultCode == "50126" && second.result == "failure")
        #expect(second.provenance.line == 17)
    }

    @Test("bare Graph array with a UTF-8 byte-order mark and PowerShell layout")
    func bareArrayWithBOM() throws {
        let text = "[\r\n    {\r\n        \"id\":  \"6e9a3d4c-bf51-4a73-8c8d-2e4f5a6b7c02\",\r\n        \"createdDateTime\":  \"2025-05-02T10:38:07Z\",\r\n        \"userPrincipalName\":  \"\",\r\n        \"appDisplayName\":  \"tokens-1\",\r\n        \"servicePrincipalId\":  \"3e3cdeeb-9575-46bc-a20a-6241f409a96b\",\r\n        \"ipAddress\":  \"\",\r\n        \"sessionId\":  \"\",\r\n        \"uniqueTokenIdentifier\":  \"TD2ablG_c0qMjS5PWmt8Ag\",\r\n        \"signInEventTypes\":  [\r\n                                 \"managedIdentity\"\r\n                             ],\r\n        \"status\":  {\r\n                       \"errorCode\":  0\r\n                   }\r\n    }\r\n]\r\n"
        let (report, events, _) = try ingestBytes("msi.json", [0xEF, 0xBB, 0xBF] + Array(text.utf8))
        #expect(report.read == 1 && report.used == 1)
        #expect(report.remarks.contains { $0.contains("byte-order mark") })
        #expect(report.source == LogSource.managedIdentitySignInLogs.rawValue)
        #expect(report.shape == ExportShape.graphAPIArray.rawValue)
        let e = try event(events, record: 1)
        #expect(e.time.iso8601 == "2025-05-02T10:38:07Z")
        #expect(e.uniqueTokenId == ID.uti3)
        #expect(e.requestIdFromToken == ID.req3)
        #expect(e.requestId == ID.req3)
        #expect(e.sessionId == nil && e.ipAddress == nil && e.userPrincipalName == nil)
        #expect(e.servicePrincipalId == "3e3cdeeb-9575-46bc-a20a-6241f409a96b")
        #expect(e.provenance.line == 2)
    }

    @Test("Defender streaming record: identifiers from RawEventData.AppAccessContext, never from SessionData")
    func defenderStreaming() throws {
        let text = #"""
        {"time":"2024-03-01T10:20:00.0000000Z","tenantId":"7e7e7e7e-0000-4000-8000-00000000000a","operationName":"Publish","category":"AdvancedHunting-CloudAppEvents","properties":{"Timestamp":"2024-03-01T10:10:00.123Z","ActionType":"MailItemsAccessed","Application":"Microsoft Exchange Online","AccountObjectId":"a11ce000-1111-4222-8333-944455556666","AccountId":"Alice@Contoso.example","IPAddress":"203.0.113.10","ReportId":"r-1","SessionData":{"InLineSessionId":"11aa22bb-3344-5566-7788-99aabbccddee"},"RawEventData":{"CreationTime":"2024-03-01T10:10:00Z","Id":"e1e1e1e1-0000-4000-8000-000000000001","Operation":"MailItemsAccessed","RecordType":50,"Workload":"Exchange","UserId":"alice@contoso.example","ClientIPAddress":"203.0.113.10","AppAccessContext":{"AADSessionId":"00AA1B2C-3D4E-5F60-7182-93A4B5C6D7E8","UniqueTokenId":"XU6rf2LAhEudnj9aa3yNAw","IssuedAtTime":"2024-03-01T10:04:00"}}}}
        {"time":"2024-03-01T10:21:00.0000000Z","tenantId":"7e7e7e7e-0000-4000-8000-00000000000a","operationName":"Publish","category":"AdvancedHunting-CloudAppEvents","properties":{"Timestamp":"2024-03-01T10:11:00Z","ActionType":"FileDownloaded","Application":"Microsoft OneDrive for Business","AccountObjectId":"a11ce000-1111-4222-8333-944455556666","IPAddress":"203.0.113.10","ReportId":"r-2","SessionData":{"InLineSessionId":"11aa22bb-3344-5566-7788-99aabbccddee"},"RawEventData":"{\"CreationTime\":\"2024-03-01T10:11:00Z\",\"Operation\":\"FileDownloaded\",\"Workload\":\"OneDrive\",\"UserId\":\"alice@contoso.example\",\"AppAccessContext\":{\"UniqueTokenId\":\"XU6rf2LAhEudnj9aa3yNAw\"}}"}}
        """#
        let (report, events) = try ingestFixture("cloudapp.ndjson", text)
        #expect(report.read == 2 && report.used == 2)
        #expect(report.source == LogSource.cloudAppEvents.rawValue)
        #expect(report.shape == ExportShape.defenderStreaming.rawValue)
        let mail = try event(events, record: 1)
        #expect(mail.time.iso8601 == "2024-03-01T10:10:00.123Z")
        #expect(mail.sessionId == ID.sid)
        #expect(mail.sessionIdField == "AppAccessContext.AADSessionId")
        #expect(mail.uniqueTokenId == ID.uti4)
        #expect(mail.requestIdFromToken == ID.req4)
        #expect(mail.tokenIssuedAt?.iso8601 == "2024-03-01T10:04:00Z")
        #expect(mail.userPrincipalName == "alice@contoso.example")
        #expect(mail.tenantId == ID.tenant)
        #expect(mail.kind == .action)
        let file = try event(events, record: 2)
        #expect(file.sessionId == nil)  // SessionData.InLineSessionId is not an Entra sid
        #expect(file.uniqueTokenId == ID.uti4)  // RawEventData as JSON text
        #expect(file.userPrincipalName == "alice@contoso.example")
        #expect(!events.contains { $0.sessionId == "11aa22bb-3344-5566-7788-99aabbccddee" })
    }

    @Test("advanced-hunting export as JSON")
    func advancedHuntingJSON() throws {
        let text = #"""
        [
          {"Timestamp":"2024-03-01T10:10:00Z","ActionType":"MailItemsAccessed","Application":"Microsoft Exchange Online","AccountObjectId":"a11ce000-1111-4222-8333-944455556666","AccountId":"alice@contoso.example","IPAddress":"203.0.113.10","ReportId":"r-10","RawEventData":{"CreationTime":"2024-03-01T10:10:00Z","Operation":"MailItemsAccessed","Workload":"Exchange","AppAccessContext":{"AADSessionId":"00aa1b2c-3d4e-5f60-7182-93a4b5c6d7e8","UniqueTokenId":"XU6rf2LAhEudnj9aa3yNAw"}}}
        ]
        """#
        let (report, events) = try ingestFixture("hunting.json", text)
        #expect(report.used == 1)
        #expect(report.source == LogSource.cloudAppEvents.rawValue)
        #expect(report.shape == ExportShape.advancedHuntingJSON.rawValue)
        let e = try event(events, record: 1)
        #expect(e.sessionId == ID.sid)
        #expect(e.requestIdFromToken == ID.req4)
        #expect(e.ipAddress == "203.0.113.10")
    }

    @Test("advanced-hunting export as CSV")
    func advancedHuntingCSV() throws {
        let text = #"""
        Timestamp,ActionType,Application,AccountObjectId,AccountId,IPAddress,ReportId,RawEventData
        2024-03-01T10:10:00.250Z,MailItemsAccessed,Microsoft Exchange Online,a11ce000-1111-4222-8333-944455556666,alice@contoso.example,203.0.113.10,r-11,"{""CreationTime"":""2024-03-01T10:10:00"",""Operation"":""MailItemsAccessed"",""AppAccessContext"":{""AADSessionId"":""00aa1b2c-3d4e-5f60-7182-93a4b5c6d7e8"",""UniqueTokenId"":""XU6rf2LAhEudnj9aa3yNAw""}}"
        """#
        let (report, events) = try ingestFixture("hunting.csv", text)
        #expect(report.used == 1)
        #expect(report.source == LogSource.cloudAppEvents.rawValue)
        #expect(report.shape == ExportShape.advancedHuntingCSV.rawValue)
        let e = try event(events, record: 1)
        #expect(e.time.iso8601 == "2024-03-01T10:10:00.250Z")
        #expect(e.sessionId == ID.sid)
        #expect(e.uniqueTokenId == ID.uti4)
        #expect(e.requestIdFromToken == ID.req4)
    }

    @Test("Purview CSV: STS logon and New-InboxRule with AuditData JSON-in-string, CRLF")
    func purviewCSV() throws {
        let rows = [
            "RecordId,CreationDate,RecordType,Operation,UserId,AuditData,AssociatedAdminUnits,AssociatedAdminUnitsNames",
            #"7fab4e5d-c062-4b84-9d9e-3f5a6b7c8d03,3/1/2024 10:00:00 AM,15,UserLoggedIn,Alice@Contoso.example,"{""CreationTime"":""2024-03-01T10:00:00"",""Id"":""7fab4e5d-c062-4b84-9d9e-3f5a6b7c8d03"",""Operation"":""UserLoggedIn"",""RecordType"":15,""Workload"":""AzureActiveDirectory"",""UserId"":""Alice@Contoso.example"",""ClientIP"":""203.0.113.10"",""ObjectId"":""00000002-0000-0ff1-ce00-000000000000"",""DeviceProperties"":[{""Name"":""OS"",""Value"":""Windows10""},{""Name"":""SessionId"",""Value"":""00AA1B2C-3D4E-5F60-7182-93A4B5C6D7E8""}],""ExtendedProperties"":[{""Name"":""RequestType"",""Value"":""OAuth2:Authorize""}]}",,"#,
            #"e2e2e2e2-0000-4000-8000-000000000002,3/1/2024 10:04:00 AM,1,New-InboxRule,Alice@Contoso.example,"{""CreationTime"":""2024-03-01T10:04:00"",""Id"":""e2e2e2e2-0000-4000-8000-000000000002"",""Operation"":""New-InboxRule"",""RecordType"":1,""Workload"":""Exchange"",""UserId"":""Alice@Contoso.example"",""ClientIP"":""203.0.113.10:51234"",""SessionId"":""00aa1b2c-3d4e-5f60-7182-93a4b5c6d7e8"",""AppAccessContext"":{""UniqueTokenId"":""XU6rf2LAhEudnj9aa3yNAw"",""IssuedAtTime"":""2024-03-01T09:55:00""},""Parameters"":[{""Name"":""Name"",""Value"":"".""},{""Name"":""DeleteMessage"",""Value"":""True""}]}",,"#,
        ]
        let (report, events) = try ingestFixture("purview.csv", rows.joined(separator: "\r\n") + "\r\n")
        #expect(report.read == 2 && report.used == 2)
        #expect(report.source == LogSource.unifiedAuditLog.rawValue)
        #expect(report.shape == ExportShape.purviewCSV.rawValue)
        let logon = try event(events, record: 1)
        #expect(logon.kind == .signIn)
        #expect(logon.requestId == ID.req4)
        #expect(logon.sessionId == ID.sid)
        #expect(logon.sessionIdField == "DeviceProperties.SessionId")
        #expect(logon.time.iso8601 == "2024-03-01T10:00:00Z")
        #expect(logon.interactive == true)
        let rule = try event(events, record: 2)
        #expect(rule.kind == .action)
        #expect(rule.sessionIdField == "SessionId")
        #expect(rule.requestIdFromToken == logon.requestId)
        #expect(rule.tokenIssuedAt?.iso8601 == "2024-03-01T09:55:00Z")
        #expect(rule.ipAddress == "203.0.113.10")
        #expect(rule.operationDetail == "Name=.; DeleteMessage=True")
        #expect(rule.provenance.line == 3)

        // Two exports joined with `cat`: the second header is rejected as what it is, also with
        // the second file's byte-order mark and PowerShell's `#TYPE` line before it.
        let (joined, _) = try ingestFixture("joined.csv", (rows + rows).joined(separator: "\r\n") + "\r\n")
        #expect(joined.read == 5 && joined.used == 2 && joined.duplicate == 2 && joined.rejected == 1)
        #expect(joined.rejections.map(\.line) == [4] && joined.rejections.first?.reason.hasPrefix("the header row again") == true)
        let second = ["#TYPE System.Management.Automation.PSCustomObject", "\u{FEFF}" + rows[0]] + rows.dropFirst()
        let (marked, _) = try ingestFixture("joined-marked.csv", (rows + second).joined(separator: "\r\n") + "\r\n")
        #expect(marked.read == 6 && marked.used == 2 && marked.rejected == 2)
        #expect(marked.rejections.map(\.reason).allSatisfy { $0.hasPrefix("a '#TYPE' line again") || $0.hasPrefix("the header row again") })

        // A header repeated as text compares as strings do (found in review, when rows became
        // bytes): with a byte that is not UTF-8 (the header's own name was repaired when read)
        // and in another Unicode normalisation.
        func heading(_ names: [[UInt8]], against header: [String]) -> String? {
            let joined: [UInt8] = names.flatMap { $0 + [UInt8(0x2C)] }
            return joined.withUnsafeBufferPointer { bytes in
                var start = 0
                let cells = names.map { name in
                    defer { start += name.count + 1 }
                    return UnsafeBufferPointer(rebasing: bytes[start..<(start + name.count)])
                }
                return FileReader.repeatedHeading(cells, header: header)
            }
        }
        let invalid: [UInt8] = [0x58, 0xFF]
        #expect(heading([Array("RecordId".utf8), invalid], against: ["RecordId", String(decoding: invalid, as: UTF8.self)]) == "the header row")
        #expect(heading([Array("Cafe\u{301}".utf8), Array("Id".utf8)], against: ["Caf\u{E9}", "Id"]) == "the header row")
        #expect(heading([Array("RecordId".utf8), Array("Ids".utf8)], against: ["RecordId", "Id"]) == nil)
        #expect(heading([Array("#TYPE x".utf8)], against: ["RecordId", "Id"]) == "a '#TYPE' line")
    }

    @Test("classic Search-UnifiedAuditLog Export-Csv with a '#TYPE' first line")
    func powershellAuditCSV() throws {
        let text = #"""
        #TYPE Deserialized.Microsoft.Exchange.Management.SystemConfigurationTasks.AuditRecord
        "CreationDate","UserIds","Operations","AuditData"
        "3/1/2024 10:04:00 AM","alice@contoso.example","New-InboxRule","{""CreationTime"":""2024-03-01T10:04:00"",""Id"":""e2e2e2e2-0000-4000-8000-000000000003"",""Operation"":""New-InboxRule"",""RecordType"":1,""Workload"":""Exchange"",""SessionId"":""00aa1b2c-3d4e-5f60-7182-93a4b5c6d7e8""}"
        """#
        let (report, events) = try ingestFixture("search-ual.csv", text)
        #expect(report.used == 1)
        #expect(report.remarks.contains { $0.contains("#TYPE") })
        #expect(report.source == LogSource.unifiedAuditLog.rawValue)
        let e = try event(events, record: 1)
        #expect(e.sessionId == ID.sid)
        // Regression: line numbers were one too low after the skipped '#TYPE' line.
        #expect(e.provenance.line == 3)
    }

    @Test("Management Activity API JSON array; AADSessionId preferred over a differing top-level SessionId")
    func managementAPIJSON() throws {
        let text = #"""
        [
          {"CreationTime":"2024-03-01T10:12:00","Id":"e3e3e3e3-0000-4000-8000-000000000001","Operation":"MailItemsAccessed","RecordType":50,"Workload":"Exchange","UserId":"alice@contoso.example","ClientIPAddress":"[2001:db8::10]:443","SessionId":"0f0f0f0f-1111-2222-3333-444444444444","AppAccessContext":{"AADSessionId":"00AA1B2C-3D4E-5F60-7182-93A4B5C6D7E8","UniqueTokenId":"XU6rf2LAhEudnj9aa3yNAw"}},
          {"CreationTime":"2024-03-01T10:13:00","Id":"e3e3e3e3-0000-4000-8000-000000000002","Operation":"FileAccessed","RecordType":6,"Workload":"OneDrive","UserId":"alice@contoso.example","ClientIP":"::ffff:203.0.113.10","AppAccessContext":"{\"AADSessionId\":\"00aa1b2c-3d4e-5f60-7182-93a4b5c6d7e8\",\"UniqueTokenId\":\"\"}"}
        ]
        """#
        let (report, events) = try ingestFixture("management.json", text)
        #expect(report.used == 2)
        #expect(report.source == LogSource.unifiedAuditLog.rawValue)
        #expect(report.shape == ExportShape.managementAPI.rawValue)
        let mail = try event(events, record: 1)
        #expect(mail.sessionId == ID.sid)
        #expect(mail.sessionIdField == "AppAccessContext.AADSessionId")
        #expect(hasNote(mail, "0f0f0f0f-1111-2222-3333-444444444444"))  // the conflict is flagged
        #expect(mail.ipAddress == "2001:db8::10")
        #expect(mail.requestIdFromToken == ID.req4)
        let file = try event(events, record: 2)
        #expect(file.sessionId == ID.sid)  // AppAccessContext as JSON text
        #expect(file.uniqueTokenId == nil)  // "" is absent
        #expect(file.ipAddress == "203.0.113.10")  // IPv4-mapped IPv6
    }

    @Test("gzip: a compressed PT1H.json reads like the plain file", .enabled(if: gzipPath != nil, "gzip not installed"))
    func gzipFile() throws {
        let plain = [
            diagSignIn(id: ID.req1, created: "2024-03-01T10:05:00Z", envelopeTime: "2024-03-01T10:20:00Z", uti: ID.uti1),
            diagSignIn(id: ID.req2, created: "2024-03-01T10:06:00Z", envelopeTime: "2024-03-01T10:21:00Z", uti: ID.uti2),
            diagSignIn(id: ID.req3, created: "2024-03-01T10:07:00Z", envelopeTime: "2024-03-01T10:22:00Z", uti: ID.uti3),
        ].joined(separator: "\n") + "\n"
        let compressed = try gzip(Array(plain.utf8))
        #expect(compressed.starts(with: [0x1F, 0x8B]))
        let (report, events, _) = try ingestBytes("PT1H.json.gz", compressed)
        #expect(report.remarks.contains("gzip"))
        #expect(report.read == 3 && report.used == 3 && report.rejected == 0)
        #expect(report.shape == ExportShape.diagnosticSettings.rawValue)
        #expect(events.map(\.requestIdFromToken) == [ID.req1, ID.req2, ID.req3])
        #expect(events.map(\.provenance.line) == [1, 2, 3])

        // Two members one after another (`gzip -c a b`) are read as one stream.
        let twoMembers = try gzip(Array(plain.utf8)) + gzip(Array((diagSignIn(id: ID.req4, created: "2024-03-01T10:08:00Z", envelopeTime: "2024-03-01T10:23:00Z", uti: ID.uti4) + "\n").utf8))
        let (report2, events2, _) = try ingestBytes("two-members.gz", twoMembers)
        #expect(report2.used == 4)
        #expect(events2.last?.requestIdFromToken == ID.req4)

        // A cut-off stream keeps what was inflated, says so, and still balances.
        let cut = Array(compressed.prefix(compressed.count - 12))
        let (report3, _, _) = try ingestBytes("cut.json.gz", cut)
        #expect(report3.remarks.contains { $0.contains("truncated") })
        #expect(report3.rejected >= 1)
    }

    @Test("UTF-16LE CSV with a byte-order mark (Excel 'Unicode text'), comma- and tab-separated")
    func utf16CSV() throws {
        for separator in [",", "\t"] {
            let text = [
                ["CreatedDateTime [UTC]", "Id", "UserPrincipalName", "UserDisplayName", "IPAddress", "IsInteractive", "AppDisplayName", "Type"],
                ["\"4/28/2021, 2:08:45.221 PM\"", ID.req1, "zoe@contoso.example", "Zoë Müller — 東京", "175.45.176.99", "TRUE", "Azure Portal", "SigninLogs"],
            ].map { $0.joined(separator: separator) }.joined(separator: "\r\n") + "\r\n"
            var bytes: [UInt8] = [0xFF, 0xFE]
            for unit in text.utf16 { bytes += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
            let (report, events, _) = try ingestBytes("unicode.csv", bytes)
            #expect(report.remarks.contains("utf-16le"))
            #expect(report.used == 1, "separator \(separator == "\t" ? "tab" : "comma")")
            #expect(report.shape == ExportShape.logAnalyticsCSV.rawValue)
            let e = try event(events, record: 1)
            #expect(e.userDisplayName == "Zoë Müller — 東京")
            #expect(e.time.iso8601 == "2021-04-28T14:08:45.221Z")
            #expect(e.requestId == ID.req1)
        }
    }

    // MARK: - Hostile input

    @Test("truncated JSON array: earlier records used, the cut one rejected with its line")
    func truncatedArray() throws {
        let text = #"""
        [
            {
                "id":  "4c7e1b2a-9d3f-4e51-8a6b-0c2d3e4f5a00",
                "createdDateTime":  "2025-05-02T00:32:36Z",
                "appDisplayName":  "Petra Forwarder",
                "uniqueTokenIdentifier":  "Kht-TD-dUU6KawwtPk9aAA",
                "signInEventTypes":  ["servicePrincipal"]
            },
            {
                "id":  "5d8f2c3b-ae40-4f62-9b7c-1d3e4f5a6b01",
                "createdDateTime":  "2025-05-02T00:32:37Z",
                "appDisplayName":  "Petra Forwarder",
                "uniqueTokenIdentifier":  "OyyPXUCuYk-bfB0-T1prAQ",
                "signInEventTypes":  ["servicePrincipal"]
            },
            {
                "id":  "6e9a3d4c-bf51-4a73-8c8d-2e4f5a6b7c02",
                "createdDateTime":  "2025-05-02T00:32:38Z",
                "appDisplayName":  "Petra Forw
        """#
        let (report, events) = try ingestFixture("cut.json", text)
        #expect(report.read == 3)
        #expect(report.used == 2)
        #expect(report.rejected == 1)
        #expect(events.map(\.requestIdFromToken) == [ID.req1, ID.req2])
        let rejection = try #require(report.rejections.first)
        #expect(rejection.line == 16)
        #expect(rejection.record == 3)
        #expect(rejection.reason.contains("malformed JSON"))
    }

    @Test("broken NDJSON line (missing comma) among good ones: only that one rejected, with its line")
    func brokenNDJSONLine() throws {
        let good = (0..<4).map { i in
            diagSignIn(id: [ID.req1, ID.req2, ID.req3, ID.req4][i], created: "2024-03-01T10:0\(i):00Z", envelopeTime: "2024-03-01T10:20:00Z", uti: [ID.uti1, ID.uti2, ID.uti3, ID.uti4][i])
        }
        var lines = good
        lines[2] = lines[2].replacingOccurrences(of: #"activity","category""#, with: #"activity" "category""#)  // drop a comma
        #expect(lines[2] != good[2])
        let (report, events) = try ingestFixture("PT1H.json", lines.joined(separator: "\n") + "\n")
        #expect(report.read == 4)
        #expect(report.used == 3)
        #expect(report.rejected == 1)
        #expect(events.map(\.provenance.line) == [1, 2, 4])
        let rejection = try #require(report.rejections.first)
        #expect(rejection.line == 3)
        #expect(rejection.reason.contains("malformed JSON"))
        #expect(rejection.reason.contains("expected ',' or '}'"))
    }

    @Test("NDJSON line cut inside a string (interrupted append) does not swallow the next line")
    func ndjsonLineCutInsideString() throws {
        let lines = [
            diagSignIn(id: ID.req1, created: "2024-03-01T10:00:00Z", envelopeTime: "2024-03-01T10:20:00Z", uti: ID.uti1),
            #"{"time":"2024-03-01T10:20:00Z","category":"NonInteractiveUserSignInLogs","properties":{"id":"5d8f2c3b-ae40-4f62-9b7c-1d3e4f5a6b01","createdDateTime":"2024-03-01T10:01:00Z","userPrincipalName":"ali"#,
            diagSignIn(id: ID.req3, created: "2024-03-01T10:02:00Z", envelopeTime: "2024-03-01T10:20:00Z", uti: ID.uti3),
            diagSignIn(id: ID.req4, created: "2024-03-01T10:03:00Z", envelopeTime: "2024-03-01T10:20:00Z", uti: ID.uti4),
        ]
        let (report, events) = try ingestFixture("PT1H.json", lines.joined(separator: "\n") + "\n")
        // Regression: a raw line break inside a string ran the cut line into the next one and lost a record.
        #expect(report.read == 4)
        #expect(report.used == 3)
        #expect(events.map(\.provenance.line) == [1, 3, 4])
        #expect(report.rejected == 1)
        #expect(report.rejections.first?.line == 2)
    }

    @Test("CSV with an unbalanced quote: earlier rows used, the broken row rejected with its line")
    func csvUnbalancedQuote() throws {
        let text = #"""
        CreatedDateTime [UTC],Id,UserPrincipalName,IPAddress,AppDisplayName,Type
        "4/28/2021, 2:08:45.221 PM",4c7e1b2a-9d3f-4e51-8a6b-0c2d3e4f5a00,adele@contoso.example,175.45.176.99,Azure Portal,SigninLogs
        "4/28/2021, 2:09:00.000 PM",5d8f2c3b-ae40-4f62-9b7c-1d3e4f5a6b01,adele@contoso.example,175.45.176.99,Azure Portal,SigninLogs
        "4/28/2021, 2:10:00.000 PM,6e9a3d4c-bf51-4a73-8c8d-2e4f5a6b7c02,adele@contoso.example,175.45.176.99,Azure Portal,SigninLogs
        """#
        let (report, events) = try ingestFixture("broken.csv", text)
        #expect(report.read == 3)
        #expect(report.used == 2)
        #expect(report.rejected == 1)
        #expect(events.map(\.requestId) == [ID.req1, ID.req2])
        let rejection = try #require(report.rejections.first)
        #expect(rejection.line == 4)
        #expect(rejection.reason.contains("unbalanced quote"))
    }

    @Test("CSV row with more cells than the header is rejected, the others used")
    func csvTooManyCells() throws {
        let text = "Id,CreatedDateTime,UserPrincipalName,AppDisplayName,Type\n\(ID.req1),2024-03-01T10:00:00Z,a@contoso.example,Portal,SigninLogs\n\(ID.req2),2024-03-01T10:01:00Z,a@contoso.example,Portal,SigninLogs,extra\n"
        let (report, _) = try ingestFixture("cells.csv", text)
        #expect(report.read == 2 && report.used == 1 && report.rejected == 1)
        #expect(report.rejections.first?.line == 3)
    }

    @Test("duplicate JSON keys: the last value wins and a note says so")
    func duplicateJSONKeys() throws {
        let signIn = #"{"time":"2024-03-01T10:20:00Z","category":"SignInLogs","properties":{"id":"4c7e1b2a-9d3f-4e51-8a6b-0c2d3e4f5a00","createdDateTime":"2024-03-01T10:00:00Z","appDisplayName":"Azure Portal","ipAddress":"198.51.100.1","ipAddress":"198.51.100.2","uniqueTokenIdentifier":"OyyPXUCuYk-bfB0-T1prAQ","uniqueTokenIdentifier":"Kht-TD-dUU6KawwtPk9aAA"}}"#
        let graph = #"{"Type":"MicrosoftGraphActivityLogs","TimeGenerated":"2024-03-01T10:06:00Z","RequestId":"9a9a9a9a-0000-4000-8000-000000000009","SessionId":"0f0f0f0f-1111-2222-3333-444444444444","SessionId":"00aa1b2c-3d4e-5f60-7182-93a4b5c6d7e8","RequestMethod":"GET","RequestUri":"https://graph.microsoft.com/v1.0/me"}"#
        let (_, events) = try ingestFixture("dupkeys.ndjson", signIn + "\n" + graph + "\n")
        let s = try event(events, record: 1)
        #expect(s.ipAddress == "198.51.100.2")
        #expect(s.uniqueTokenId == ID.uti1)
        #expect(s.requestIdFromToken == ID.req1)
        #expect(hasNote(s, "ipAddress", "more than once"))
        #expect(hasNote(s, "uniqueTokenIdentifier", "more than once"))
        let g = try event(events, record: 2)
        #expect(g.sessionId == ID.sid)  // last wins
        // Regression: only sign-in records noted repeated keys.
        #expect(hasNote(g, "SessionId", "more than once"))
    }

    @Test("duplicate CSV headers: remarked, and the first non-empty cell of that name is used")
    func duplicateCSVHeaders() throws {
        let text = """
        CreatedDateTime [UTC],Id,IncomingTokenType,UserPrincipalName,IncomingTokenType,AppDisplayName,Type
        2024-03-01T10:00:00Z,\(ID.req1),,alice@contoso.example,primaryRefreshToken,Azure Portal,AADNonInteractiveUserSignInLogs
        2024-03-01T10:01:00Z,\(ID.req2),refreshToken,alice@contoso.example,,Azure Portal,AADNonInteractiveUserSignInLogs
        """
        let (report, events) = try ingestFixture("dupheaders.csv", text)
        #expect(report.used == 2)
        #expect(report.remarks.contains { $0.contains("duplicate CSV headers") && $0.contains("IncomingTokenType") })
        #expect(try event(events, record: 1).incomingTokenType == "primaryRefreshToken")
        #expect(try event(events, record: 2).incomingTokenType == "refreshToken")
        #expect(try event(events, record: 1).userPrincipalName == "alice@contoso.example")
    }

    @Test("null, \"\" and a missing field are all absent")
    func nullEmptyMissing() throws {
        let text = #"""
        [
          {"Type":"SigninLogs","TimeGenerated":"2024-03-01T10:00:00Z","CreatedDateTime":null,"Id":"4c7e1b2a-9d3f-4e51-8a6b-0c2d3e4f5a00","AppDisplayName":"A","SessionId":null,"UniqueTokenIdentifier":null,"UserPrincipalName":null,"IPAddress":null,"DeviceDetail":null,"AutonomousSystemNumber":null,"IsInteractive":null,"UserId":null},
          {"Type":"SigninLogs","TimeGenerated":"2024-03-01T10:00:01Z","CreatedDateTime":"","Id":"5d8f2c3b-ae40-4f62-9b7c-1d3e4f5a6b01","AppDisplayName":"A","SessionId":"","UniqueTokenIdentifier":"","UserPrincipalName":"","IPAddress":"","DeviceDetail":"","AutonomousSystemNumber":"","IsInteractive":"","UserId":""},
          {"Type":"SigninLogs","TimeGenerated":"2024-03-01T10:00:02Z","Id":"6e9a3d4c-bf51-4a73-8c8d-2e4f5a6b7c02","AppDisplayName":"A"}
        ]
        """#
        let (report, events) = try ingestFixture("absent.json", text)
        #expect(report.used == 3 && report.rejected == 0)
        #expect(events.map(\.time.iso8601) == ["2024-03-01T10:00:00Z", "2024-03-01T10:00:01Z", "2024-03-01T10:00:02Z"])
        for e in events {
            #expect(e.sessionId == nil)
            #expect(e.uniqueTokenId == nil)
            #expect(e.userPrincipalName == nil)
            #expect(e.ipAddress == nil)
            #expect(e.deviceId == nil && e.operatingSystem == nil)
            #expect(e.asn == nil)
            #expect(e.userId == nil)
            // Absent values are not "refused": no note about them.
            #expect(!e.notes.contains { $0.contains("not used for linking") || $0.contains("ignored") })
        }
        // The three spellings of "absent" lead to the same notes (time from TimeGenerated).
        #expect(Set(events.map { $0.notes }).count == 1)
    }

    @Test("booleans and numbers written as strings")
    func stringlyTypedValues() throws {
        let rows = [
            (#""IsInteractive":"true","AutonomousSystemNumber":"64500","ResultType":0,"DeviceDetail":{"isCompliant":"true","isManaged":"FALSE"}"#, true, 64500, "0", true, false),
            (#""IsInteractive":"TRUE","AutonomousSystemNumber":64501,"ResultType":"50126","DeviceDetail":{"isCompliant":"False","isManaged":"True"}"#, true, 64501, "50126", false, true),
            (#""IsInteractive":"0","AutonomousSystemNumber":"0","ResultType":"0","DeviceDetail":{"isCompliant":0,"isManaged":1}"#, false, nil, "0", false, true),
            (#""IsInteractive":"False","AutonomousSystemNumber":" 64502 ","ResultType":"0","DeviceDetail":{"isCompliant":false}"#, false, 64502, "0", false, nil),
        ] as [(String, Bool, Int?, String, Bool?, Bool?)]
        let text = rows.enumerated().map { i, row in
            #"{"Type":"SigninLogs","CreatedDateTime":"2024-03-01T10:00:0\#(i)Z","Id":"\#([ID.req1, ID.req2, ID.req3, ID.req4][i])","AppDisplayName":"A",\#(row.0)}"#
        }.joined(separator: "\n")
        let (report, events) = try ingestFixture("strings.ndjson", text)
        #expect(report.used == 4)
        for (i, row) in rows.enumerated() {
            let e = try event(events, record: i + 1)
            #expect(e.interactive == row.1, "record \(i + 1)")
            #expect(e.asn == row.2, "record \(i + 1)")
            #expect(e.resultCode == row.3, "record \(i + 1)")
            #expect(e.result == (row.3 == "0" ? "success" : "failure"), "record \(i + 1)")
            #expect(e.isCompliant == row.4, "record \(i + 1)")
            #expect(e.isManaged == row.5, "record \(i + 1)")
        }
        // ASN "0" means unknown: absent, and not worth a note.
        #expect(!(try event(events, record: 3)).notes.contains { $0.contains("AutonomousSystemNumber") })
    }

    @Test("DeviceDetail as an object, as JSON text, and as doubly encoded JSON text")
    func deviceDetailEncodings() throws {
        let object = #"{"deviceId":"de71ce00-aaaa-4bbb-8ccc-dddddddddddd","operatingSystem":"Windows 10","browser":"Edge 120","trustType":"Hybrid Azure AD joined","isCompliant":true}"#
        let once = try #require(String(data: JSONSerialization.data(withJSONObject: [object], options: []), encoding: .utf8)).dropFirst().dropLast()  // "…" with escapes
        let twice = try #require(String(data: JSONSerialization.data(withJSONObject: [String(once)], options: []), encoding: .utf8)).dropFirst().dropLast()
        let text = [object, String(once), String(twice)].enumerated().map { i, detail in
            #"{"Type":"AADNonInteractiveUserSignInLogs","CreatedDateTime":"2024-03-01T10:00:0\#(i)Z","Id":"\#([ID.req1, ID.req2, ID.req3][i])","AppDisplayName":"A","DeviceDetail":\#(detail)}"#
        }.joined(separator: "\n")
        let (report, events) = try ingestFixture("devices.ndjson", text)
        #expect(report.used == 3)
        for record in 1...3 {
            let e = try event(events, record: record)
            #expect(e.deviceId == ID.device, "record \(record)")
            #expect(e.operatingSystem == "Windows 10", "record \(record)")
            #expect(e.browser == "Edge 120", "record \(record)")
            #expect(e.trustType == "Hybrid Azure AD joined", "record \(record)")
            #expect(e.isCompliant == true, "record \(record)")
        }
    }

    @Test("records that are not objects are rejected, the rest used")
    func recordsThatAreNotObjects() throws {
        let good = diagSignIn(id: ID.req1, created: "2024-03-01T10:00:00Z", envelopeTime: "2024-03-01T10:20:00Z", uti: ID.uti1)
        let (report, events) = try ingestFixture("mixed.ndjson", [good, "42", #""just text""#, "[1, 2]", "null", "true"].joined(separator: "\n") + "\n")
        #expect(report.read == 6)
        #expect(report.used == 1)
        #expect(report.rejected == 5)
        #expect(events.count == 1)
        #expect(report.rejections.map(\.line) == [2, 3, 4, 5, 6])
        #expect(report.rejections.allSatisfy { $0.reason.contains("expected an object") })

        let (arrayReport, _) = try ingestFixture("array.json", "[\n" + good + ",\n7,\n\"x\"\n]\n")
        #expect(arrayReport.read == 3 && arrayReport.used == 1 && arrayReport.rejected == 2)
        #expect(arrayReport.rejections.map(\.line) == [3, 4])
    }

    @Test("unknown category is rejected with the category named")
    func unknownCategory() throws {
        let text = #"{"time":"2024-03-01T10:00:00Z","category":"AuditLogs","operationName":"Add member to role","properties":{"id":"x","activityDateTime":"2024-03-01T10:00:00Z"}}"#
        let (report, events) = try ingestFixture("audit.ndjson", text + "\n")
        #expect(events.isEmpty)
        #expect(report.read == 1 && report.rejected == 1)
        #expect(report.source == nil)
        let reason = try #require(report.rejections.first?.reason)
        #expect(reason.contains("'AuditLogs'"))
        #expect(reason.contains("not a source"))
    }

    @Test("a JSON object that is no known record is rejected with its keys named")
    func unrecognisedRecord() throws {
        let (report, _) = try ingestFixture("other.json", #"[{"foo":1,"bar":"2024-03-01T10:00:00Z"}]"#)
        #expect(report.rejected == 1)
        #expect(report.rejections.first?.reason.contains("unrecognised record") == true)
        #expect(report.rejections.first?.reason.contains("foo") == true)
    }

    @Test("record whose time cannot be read is rejected with the field named")
    func unreadableTime() throws {
        let text = [
            diagSignIn(id: ID.req1, created: "yesterday at noon", envelopeTime: "2024-03-01T10:20:00Z", uti: ID.uti1),
            diagSignIn(id: ID.req2, created: "2024-03-01T10:01:00Z", envelopeTime: "2024-03-01T10:20:00Z", uti: ID.uti2),
            #"{"Type":"SigninLogs","Id":"6e9a3d4c-bf51-4a73-8c8d-2e4f5a6b7c02","AppDisplayName":"A","ResultType":"0"}"#,
        ].joined(separator: "\n")
        let (report, _) = try ingestFixture("times.ndjson", text)
        #expect(report.read == 3 && report.used == 1 && report.rejected == 2)
        #expect(report.rejections.map(\.line) == [1, 3])
        #expect(report.rejections[0].reason.contains("createdDateTime") || report.rejections[0].reason.contains("CreatedDateTime"))
        #expect(report.rejections[1].reason.contains("missing time"))
    }

    @Test("unrecognised files (binary garbage, empty, blank, BOM only, prose) are reported without crashing")
    func unrecognisedFiles() throws {
        let scratch = try Scratch()
        var garbage: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00]
        var seed: UInt32 = 12345
        for _ in 0..<4096 {
            seed = seed &* 1_103_515_245 &+ 12345
            garbage.append(UInt8(truncatingIfNeeded: seed >> 16))
        }
        let binary = try scratch.write("garbage.bin", bytes: garbage)
        let empty = try scratch.write("empty.json", bytes: [])
        let blank = try scratch.write("blank.json", " \n\r\n\t\n")
        let bomOnly = try scratch.write("bom.csv", bytes: [0xEF, 0xBB, 0xBF])
        let oneColumn = try scratch.write("notes.txt", "hello\nworld\n")
        let prose = try scratch.write("README.md", "# Notes\n\nThese exports came from the tenant, collected on Monday.\nSee the ticket, please.\n")
        let missing = scratch.url.appendingPathComponent("vanished.json").path
        let result = Ingestor.ingest(files: [binary, empty, blank, bomOnly, oneColumn, prose, missing])
        expectBalanced(result)
        #expect(result.totals.read == 0)
        #expect(result.events.isEmpty)
        let byName = Dictionary(uniqueKeysWithValues: result.files.map { (URL(fileURLWithPath: $0.path).lastPathComponent, $0) })
        #expect(byName["garbage.bin"]?.unrecognised?.contains("binary") == true)
        #expect(byName["notes.txt"]?.unrecognised != nil)
        #expect(byName["README.md"]?.unrecognised != nil)
        #expect(byName["vanished.json"]?.unrecognised?.contains("cannot open") == true)
        for name in ["empty.json", "blank.json", "bom.csv"] {
            let report = try #require(byName[name])
            #expect(report.read == 0, "\(name)")
            #expect(report.unrecognised != nil || report.remarks.contains { $0.contains("empty") }, "\(name)")
        }
        #expect(result.totals.unrecognisedFiles >= 4)
    }

    @Test("100,000 nested arrays in a record: rejected with the depth limit named, no crash")
    func deepNestingInAFile() throws {
        let depth = 100_000
        let deep = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let good = diagSignIn(id: ID.req1, created: "2024-03-01T10:00:00Z", envelopeTime: "2024-03-01T10:20:00Z", uti: ID.uti1)
        let line = #"{"time":"2024-03-01T10:20:00Z","category":"SignInLogs","properties":{"deep":"# + deep + "}}"
        let (report, events) = try ingestFixture("deep.ndjson", good + "\n" + line + "\n" + good.replacingOccurrences(of: ID.req1, with: ID.req2) + "\n")
        #expect(events.count == 2)
        #expect(report.rejected == 1)
        #expect(report.rejections.first?.line == 2)
        #expect(report.rejections.first?.reason.contains("nesting") == true)

        let (arrayReport, _) = try ingestFixture("deep.json", deep)
        #expect(arrayReport.rejected >= 1)
        #expect(arrayReport.used == 0)
    }

    @Test("the same record in two files: the first copy is used, the second counted duplicate")
    func duplicatesAcrossFiles() throws {
        let shared = diagSignIn(id: ID.req1, created: "2024-03-01T10:00:00Z", envelopeTime: "2024-03-01T10:20:00Z", uti: ID.uti1)
        // Re-delivery: same properties, fresh envelope time (schemas.md §2.4).
        let redelivered = diagSignIn(id: ID.req1, created: "2024-03-01T10:00:00Z", envelopeTime: "2024-03-01T10:45:00Z", uti: ID.uti1)
        let other = diagSignIn(id: ID.req2, created: "2024-03-01T10:01:00Z", envelopeTime: "2024-03-01T10:20:00Z", uti: ID.uti2)
        let result = try ingestFixtures([
            ("b/PT1H.json", redelivered + "\n" + other + "\n"),
            ("a/PT1H.json", shared + "\n" + shared + "\n"),
        ])
        expectBalanced(result)
        #expect(result.files.map { URL(fileURLWithPath: $0.path).deletingLastPathComponent().lastPathComponent } == ["a", "b"])
        let a = result.files[0], b = result.files[1]
        #expect(a.read == 2 && a.used == 1 && a.duplicate == 1)
        #expect(b.read == 2 && b.used == 1 && b.duplicate == 1)
        #expect(result.totals.duplicate == 2)
        #expect(result.totals.used == 2)
        let first = try #require(result.events.first { $0.requestId == ID.req1 })
        #expect(first.provenance.fileIndex == 0 && first.provenance.record == 1)
        #expect(result.events.filter { $0.requestId == ID.req1 }.count == 1)
    }

    @Test("a folder: files found recursively, hidden ones skipped, sorted; a missing path is an error")
    func folderWalk() throws {
        let scratch = try Scratch()
        let line = diagSignIn(id: ID.req1, created: "2024-03-01T10:00:00Z", envelopeTime: "2024-03-01T10:20:00Z", uti: ID.uti1)
        try scratch.write("z/late.json", line)
        try scratch.write("a/early.json", line.replacingOccurrences(of: ID.req1, with: ID.req2))
        try scratch.write(".hidden.json", line.replacingOccurrences(of: ID.req1, with: ID.req3))
        try scratch.write(".git/objects.json", line.replacingOccurrences(of: ID.req1, with: ID.req4))
        let files = try Ingestor.inputFiles([scratch.url.path])
        #expect(files.map { URL(fileURLWithPath: $0).lastPathComponent } == ["early.json", "late.json"])
        #expect(throws: IngestError.pathNotFound(scratch.url.path + "/nope")) {
            try Ingestor.inputFiles([scratch.url.path + "/nope"])
        }
        try scratch.write("only-hidden/.x.json", line)
        let onlyHidden = scratch.url.appendingPathComponent("only-hidden").path
        #expect(throws: IngestError.noInputFiles([onlyHidden])) { try Ingestor.inputFiles([onlyHidden]) }
    }

    // MARK: - More hostile input

    @Test("a broken element in the middle of a pretty-printed array: only it is rejected")
    func brokenElementMidArray() throws {
        let text = #"""
        [
            {
                "id":  "4c7e1b2a-9d3f-4e51-8a6b-0c2d3e4f5a00",
                "createdDateTime":  "2025-05-02T00:32:36Z",
                "appDisplayName":  "Petra Forwarder",
                "signInEventTypes":  ["servicePrincipal"]
            },
            {
                "id":  "5d8f2c3b-ae40-4f62-9b7c-1d3e4f5a6b01",
                "createdDateTime":  "2025-05-02T00:32:37Z"
                "appDisplayName":  "Petra Forwarder",
                "signInEventTypes":  ["servicePrincipal"]
            },
            {
                "id":  "6e9a3d4c-bf51-4a73-8c8d-2e4f5a6b7c02",
                "createdDateTime":  "2025-05-02T00:32:38Z",
                "appDisplayName":  "Petra Forwarder",
                "signInEventTypes":  ["servicePrincipal"]
            }
        ]
        """#
        let (report, events) = try ingestFixture("broken-middle.json", text)
        #expect(report.read == 3)
        #expect(report.used == 2)
        #expect(report.rejected == 1)
        #expect(events.map(\.requestId) == [ID.req1, ID.req3])
        #expect(report.rejections.first?.line == 8)
        #expect(report.rejections.first?.record == 2)
    }

    @Test("a trailing comma before ']' is tolerated and remarked")
    func trailingComma() throws {
        let line = diagSignIn(id: ID.req1, created: "2024-03-01T10:00:00Z", envelopeTime: "2024-03-01T10:20:00Z", uti: ID.uti1)
        let (report, events) = try ingestFixture("trailing.json", "[\n" + line + ",\n]\n")
        #expect(report.read == 1 && report.used == 1 && report.rejected == 0)
        #expect(events.count == 1)
        #expect(report.remarks.contains { $0.contains("trailing comma") })
    }

    @Test("concatenated pretty-printed objects, one broken: only that one rejected")
    func brokenPrettyPrintedObjectInSequence() throws {
        let text = #"""
        {
          "time": "2024-03-01T10:20:00Z",
          "category": "SignInLogs",
          "properties": {
            "id": "4c7e1b2a-9d3f-4e51-8a6b-0c2d3e4f5a00",
            "createdDateTime": "2024-03-01T10:00:00Z"
            "appDisplayName": "Azure Portal"
          }
        }
        {
          "time": "2024-03-01T10:21:00Z",
          "category": "SignInLogs",
          "properties": {
            "id": "5d8f2c3b-ae40-4f62-9b7c-1d3e4f5a6b01",
            "createdDateTime": "2024-03-01T10:01:00Z",
            "appDisplayName": "Azure Portal"
          }
        }
        """#
        let (report, events) = try ingestFixture("pretty.json", text)
        #expect(events.map(\.requestId) == [ID.req2])
        #expect(report.rejections.first?.line == 1)
        // Regression: the rest of a broken pretty-printed object was read as several records.
        #expect(report.read == 2)
        #expect(report.rejected == 1)
    }

    @Test("a record longer than ReadLimits.maxRecordBytes is refused unread; the next lines are read")
    func recordByteLimit() throws {
        let scratch = try Scratch()
        let short = diagSignIn(id: ID.req1, created: "2024-03-01T10:00:00Z", envelopeTime: "2024-03-01T10:20:00Z", uti: ID.uti1)
        let long = diagSignIn(id: ID.req2, created: "2024-03-01T10:01:00Z", envelopeTime: "2024-03-01T10:20:00Z", uti: ID.uti2)
            .replacingOccurrences(of: #""appDisplayName":"Microsoft Office""#, with: #""appDisplayName":"\#(String(repeating: "x", count: 4000))""#)
        let path = try scratch.write("big.ndjson", [short, long, short.replacingOccurrences(of: ID.req1, with: ID.req3)].joined(separator: "\n") + "\n")
        var options = IngestOptions()
        options.limits.maxRecordBytes = 2000
        let result = Ingestor.ingest(files: [path], options: options)
        expectBalanced(result)
        let report = result.files[0]
        #expect(report.read == 3 && report.used == 2 && report.rejected == 1)
        #expect(report.rejections.first?.line == 2)
        #expect(report.rejections.first?.reason.contains("longer than 2000 bytes") == true)
    }

    @Test("a string longer than ReadLimits.maxStringBytes is cut, and the event says so")
    func stringByteLimit() throws {
        let scratch = try Scratch()
        let agent = String(repeating: "A", count: 500)
        let line = #"{"Type":"SigninLogs","CreatedDateTime":"2024-03-01T10:00:00Z","Id":"\#(ID.req1)","AppDisplayName":"A","UserAgent":"\#(agent)"}"#
        let path = try scratch.write("long-string.ndjson", line + "\n")
        var options = IngestOptions()
        options.limits.maxStringBytes = 100
        let result = Ingestor.ingest(files: [path], options: options)
        expectBalanced(result)
        let e = try event(result.events, record: 1)
        #expect(e.userAgent?.utf8.count == 100)
        // Regression: strings cut at maxStringBytes were not reported.
        #expect(hasNote(e, "cut") || hasNote(e, "truncat") || result.files[0].remarks.contains { $0.contains("cut") || $0.contains("truncat") })
    }

    @Test("UTF-8 byte-order mark before a CSV header does not hide the first column")
    func utf8BOMCSV() throws {
        let text = "CreatedDateTime [UTC],Id,UserPrincipalName,AppDisplayName,Type\r\n\"4/28/2021, 2:08:45.221 PM\",\(ID.req1),adele@contoso.example,Azure Portal,SigninLogs\r\n"
        let (report, events, _) = try ingestBytes("bom.csv", [0xEF, 0xBB, 0xBF] + Array(text.utf8))
        #expect(report.used == 1)
        #expect(report.remarks.contains { $0.contains("byte-order mark") })
        #expect(try event(events, record: 1).time.iso8601 == "2021-04-28T14:08:45.221Z")
    }

    @Test("semicolon-separated CSV (European Excel) is read and remarked")
    func semicolonCSV() throws {
        let text = "CreatedDateTime;Id;UserPrincipalName;AppDisplayName;Type\n2024-03-01T10:00:00Z;\(ID.req1);adele@contoso.example;Azure Portal, EU;SigninLogs\n"
        let (report, events) = try ingestFixture("semicolon.csv", text)
        #expect(report.used == 1)
        #expect(report.remarks.contains { $0.contains("';'") })
        #expect(try event(events, record: 1).appName == "Azure Portal, EU")
    }

    @Test("empty containers: {\"records\": []}, [] and a header-only CSV read nothing and say so")
    func emptyContainers() throws {
        let result = try ingestFixtures([
            ("a.json", #"{"records": []}"#),
            ("b.json", "[]"),
            ("c.csv", "CreatedDateTime,Id,AppDisplayName,Type\r\n"),
            ("d.json", #"{"@odata.context":"https://graph.microsoft.com/beta/$metadata#auditLogs/signIns","value":[]}"#),
        ])
        expectBalanced(result)
        #expect(result.totals.read == 0)
        #expect(result.files.allSatisfy { $0.read == 0 && $0.unrecognised == nil })
        #expect(result.files[2].remarks.contains { $0.contains("header only") })
    }

    @Test("the same sign-in from Graph (whole seconds) and from diagnostic settings (7-digit fraction) is one record")
    func sameSignInAcrossExportPaths() throws {
        let graph = #"[{"id":"4c7e1b2a-9d3f-4e51-8a6b-0c2d3e4f5a00","createdDateTime":"2024-03-01T10:00:00Z","appDisplayName":"Azure Portal","userPrincipalName":"alice@contoso.example","uniqueTokenIdentifier":"Kht-TD-dUU6KawwtPk9aAA","signInEventTypes":["interactiveUser"],"status":{"errorCode":0}}]"#
        let diag = diagSignIn(id: ID.req1, created: "2024-03-01T10:00:00.6816663+00:00", envelopeTime: "2024-03-01T10:15:00Z", uti: ID.uti1, category: "SignInLogs")
        let result = try ingestFixtures([("1-graph.json", graph), ("2-diag.json", diag + "\n")])
        expectBalanced(result)
        #expect(result.files.map(\.read) == [1, 1])
        // Regression: the dedupe key compared sub-second times, so Graph (whole seconds) and diagnostic-settings copies of one sign-in were both used.
        #expect(result.totals.duplicate == 1)
        #expect(result.events.count == 1)
    }

    /// Three one-line sign-in records; the second lacks the comma after its `time` member.
    private static func threeCompactRecords() -> (good1: String, broken: String, good3: String) {
        func record(_ id: String, _ created: String) -> String {
            #"{"time":"2024-03-01T10:20:00Z","category":"SignInLogs","properties":{"id":"\#(id)","createdDateTime":"\#(created)","appDisplayName":"A"}}"#
        }
        let broken = record(ID.req2, "2024-03-01T10:01:00Z").replacingOccurrences(of: #"Z","category""#, with: #"Z" "category""#)
        return (record(ID.req1, "2024-03-01T10:00:00Z"), broken, record(ID.req3, "2024-03-01T10:02:00Z"))
    }

    @Test("a broken record inside a one-line {\"records\": [...]} message: only it is rejected")
    func brokenRecordInCompactEnvelope() throws {
        let (a, broken, c) = Self.threeCompactRecords()
        #expect(broken.contains(#"Z" "category""#))
        let (report, events) = try ingestFixture("eventhub-message.json", #"{"records":["# + a + "," + broken + "," + c + "]}\n")
        #expect(events.first?.requestId == ID.req1)
        #expect(report.rejections.first?.reason.contains("malformed JSON") == true)
        do {
            #expect(report.read == 3)
            #expect(report.rejected == 1)
            #expect(events.map(\.requestId) == [ID.req1, ID.req3])
        }
    }

    @Test("{\"records\": [...]} messages a line each, Graph pages and arrays one after another: every envelope's and array's records read")
    func envelopesOneAfterAnother() throws {
        let (a, _, c) = Self.threeCompactRecords()
        let messages = #"{"records":["# + a + "]}\n" + #"{"records":["# + c + "]}\r\n"
        let (report, events) = try ingestFixture("eventhub-messages.json", messages)
        #expect(report.read == 2 && report.rejected == 0)
        #expect(events.map(\.requestId) == [ID.req1, ID.req3])
        func page(_ id: String, _ time: String) -> String {
            #"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#auditLogs/signIns","value":[{"id":"\#(id)","createdDateTime":"\#(time)","appDisplayName":"A","userPrincipalName":"a@b.example"}]}"#
        }
        let (pages, pageEvents) = try ingestFixture("pages.json", page(ID.req1, "2024-03-01T10:00:00Z") + "\n" + page(ID.req2, "2024-03-01T10:01:00Z") + "\n")
        #expect(pages.read == 2 && pages.rejected == 0)
        #expect(pageEvents.map(\.requestId) == [ID.req1, ID.req2])
        // Arrays one after another (a script appending each page's `ConvertTo-Json`).
        let (arrays, arrayEvents) = try ingestFixture("pages-appended.json", "[\n  " + a + "\n]\n[\n  " + c + "\n]\n")
        #expect(arrays.read == 2 && arrays.rejected == 0)
        #expect(arrayEvents.map(\.requestId) == [ID.req1, ID.req3])
        // A record after the envelopes is read as a record, as before.
        let (mixed, mixedEvents) = try ingestFixture("mixed.json", #"{"records":["# + a + "]}\n" + c + "\n")
        #expect(mixed.read == 2 && mixed.rejected == 0 && mixedEvents.count == 2)
    }

    @Test("a broken record inside a one-line top-level array: only it is rejected")
    func brokenRecordInCompactArray() throws {
        let (a, broken, c) = Self.threeCompactRecords()
        let (report, events) = try ingestFixture("compact.json", "[" + a + "," + broken + "," + c + "]\n")
        #expect(events.first?.requestId == ID.req1)
        #expect(!report.rejections.isEmpty)
        do {
            #expect(report.read == 3)
            #expect(report.rejected == 1)
            #expect(!report.rejections.contains { $0.reason.contains("record is a string") })
            #expect(events.map(\.requestId) == [ID.req1, ID.req3])
        }
    }

    @Test("a Graph page cut off inside its second record: one used, one rejected")
    func truncatedGraphPage() throws {
        let text = #"""
        {
          "@odata.context": "https://graph.microsoft.com/beta/$metadata#auditLogs/signIns",
          "value": [
            {"id":"4c7e1b2a-9d3f-4e51-8a6b-0c2d3e4f5a00","createdDateTime":"2024-03-01T10:00:00Z","appDisplayName":"A","status":{"errorCode":0}},
            {"id":"5d8f2c3b-ae40-4f62-9b7c-1d3e4f5a6b01","createdDateTime":"2024-03-01T10:0
        """#
        let (report, events) = try ingestFixture("page-cut.json", text)
        #expect(events.map(\.requestId) == [ID.req1])
        #expect(report.used == 1)
        #expect(report.rejections.first?.line == 5)
        do {
            #expect(report.read == 2)
            #expect(report.rejected == 1)
        }
    }
}
