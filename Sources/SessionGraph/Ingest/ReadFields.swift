/// The keys the record mappers read, lower-cased. While a record is parsed, the members of the
/// record object and of the objects directly inside it (`properties`, `RawEventData`,
/// `DeviceDetail`, …) whose key is not in this set are skipped without building their values:
/// an export row carries dozens of columns the model does not use (authentication details,
/// conditional-access policies, participant lists). Deeper objects are always parsed whole.
/// A test checks that skipping changes no event on every sample and fixture.
enum ReadFields {
    static let keys: Set<String> = [
        "networklocationdetails", "networktype",
        "aadmanagedidentitysigninlogs", "aadnoninteractiveusersigninlogs", "aadserviceprincipalsigninlogs",
        "aadsessionid", "aadtenantid", "accountdisplayname", "accountid", "accountobjectid", "actiontype",
        "actoripaddress", "appaccesscontext", "appdisplayname", "appid", "application", "applicationid", "auditdata",
        "authenticationprotocol", "autonomoussystemnumber", "browser", "browsertype", "c_deviceid", "c_iat",
        "c_idtyp", "c_sid", "calleripaddress", "category", "city", "client_ipaddress", "clientappid",
        "clientappname", "clientappused", "clientinfostring", "clientip", "clientipaddress", "cloudappevents",
        "correlationid", "countrycode", "countryorregion", "createddatetime", "creationdate", "creationtime", "csv",
        "devicedetail", "devicedetail_dynamic", "devicedetail_string", "devicedisplayname", "deviceid",
        "deviceproperties", "displayname", "empty", "errorcode", "errornumber", "extendedproperties", "failed",
        "failure", "false", "folderitems", "folders", "geocoordinates", "hometenantid", "id", "incidents",
        "incomingtokentype", "interactiveuser", "intersystemsid", "ipaddress", "iscompliant", "isinteractive",
        "ismanaged", "issuedattime", "json", "latitude", "layout", "location", "locationdetails",
        "locationdetails_dynamic", "locationdetails_string", "longitude", "managedidentity",
        "managedidentitysigninlogs", "microsoftgraph", "microsoftgraphactivitylogs",
        "microsoftserviceprincipalsigninlogs", "n", "name", "none", "noninteractiveuser",
        "noninteractiveusersigninlogs", "oauthappid", "objectid", "objectname", "officeactivity", "officeid",
        "officetenantid", "officeworkload", "operatingsystem", "operation", "operationcount", "operationproperties",
        "organizationid", "originaltransfermethod", "os", "osplatform", "parameters", "partiallysucceeded",
        "primaryrefreshtoken", "properties", "raweventdata", "recordid", "recordtype", "refreshtoken",
        "remotedesktoptoken", "reportid", "requestid", "requestmethod", "requesttype", "requesturi",
        "resourcedisplayname", "resourceid", "resourceidentity", "resourcetenantid", "responsestatuscode",
        "resultsignature", "resultstatus", "resulttype", "roles", "saml11", "saml20", "scopes", "seed",
        "serviceprincipal", "serviceprincipalid", "serviceprincipalname", "serviceprincipalsigninlogs", "sessionid",
        "signinactivityid", "signineventtypes", "signinlogs", "sourcefilename", "start_time", "status",
        "status_dynamic", "status_string", "succeeded", "success", "tab", "tenantid", "time", "timegenerated",
        "timestamp", "tokenissuedat", "tokenissuedattime", "tokenobjectid", "tokentenantid", "true", "trusttype",
        "type", "uniquetokenid", "uniquetokenidentifier", "unknown", "user", "useragent", "userdisplayname",
        "userid", "userloginfailed", "userprincipalname", "userprincipalobjectid", "value", "workload",
    ]

    /// FNV-1a hashes of ``keys``, compared against the raw key bytes without making a string.
    static let hashes: Set<UInt64> = Set(keys.map { hash(Array($0.utf8)[...]) })

    /// FNV-1a over the ASCII-lower-cased bytes.
    @inline(__always)
    static func hash<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            value ^= UInt64(lowerASCII(byte))
            value = value &* 0x0000_0100_0000_01B3
        }
        return value
    }
}
