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

    /// Hashes of ``keys``, compared against the raw key bytes without making a string.
    static let hashes = KeyHashSet(keys.map { key in Array(key.utf8).withUnsafeBufferPointer(hash) })

    /// A hash of the ASCII-lower-cased bytes (every key of every record is hashed: a
    /// byte-at-a-time hash was the largest cost of reading an object).
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        WordHash.hash(bytes, seed: 0, foldingASCIICase: true)
    }
}

/// A fixed set of key hashes, probed on every member of every record: an open-addressing table
/// indexed by the hash's own bits (`Set<UInt64>` hashes the hash again with SipHash).
///
/// The table is made once for the process (``ReadFields/hashes``) and never freed, so the set is
/// a plain value: copying it, as each parser does for every object it reads, costs no reference
/// count. It held an array, and both cores' parsers updated that array's one reference count,
/// 677,000 times a run at 488 MB, each write waiting for the other core's.
struct KeyHashSet: @unchecked Sendable {
    private let table: UnsafePointer<UInt64>
    private let mask: Int

    fileprivate init(_ hashes: [UInt64]) {
        var size = 16
        while size < hashes.count * 4 { size *= 2 }
        let table = UnsafeMutablePointer<UInt64>.allocate(capacity: size)
        table.initialize(repeating: 0, count: size)
        for hash in hashes where hash != 0 {
            var slot = Int(truncatingIfNeeded: hash ^ (hash >> 32)) & (size - 1)
            while table[slot] != 0 && table[slot] != hash { slot = (slot + 1) & (size - 1) }
            table[slot] = hash
        }
        self.table = UnsafePointer(table)
        mask = size - 1
    }

    @inline(__always)
    func contains(_ hash: UInt64) -> Bool {
        guard hash != 0 else { return false }
        var slot = Int(truncatingIfNeeded: hash ^ (hash >> 32)) & mask
        while true {
            let held = table[slot]
            if held == hash { return true }
            if held == 0 { return false }
            slot = (slot + 1) & mask
        }
    }
}
