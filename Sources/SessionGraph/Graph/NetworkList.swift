/// A network list: ASNs (`AS64500`) and CIDR ranges (`203.0.113.0/24`, `2001:db8::/32`).
struct NetworkList {
    var asns: Set<Int> = []
    var ranges: [(bits: [UInt8], prefix: Int)] = []

    init(_ entries: [String]) {
        for entry in entries {
            let text = entry.trimmingASCIIWhitespace()
            if text.uppercased().hasPrefix("AS"), let asn = Int(text.dropFirst(2)) {
                asns.insert(asn)
                continue
            }
            let parts = text.split(separator: "/")
            guard let address = parts.first, let bytes = Self.bytes(String(address)) else { continue }
            let prefix = parts.count > 1 ? Int(parts[1]) ?? bytes.count * 8 : bytes.count * 8
            ranges.append((bytes, prefix))
        }
    }

    var isEmpty: Bool { asns.isEmpty && ranges.isEmpty }

    func contains(ip: String?, asn: Int?) -> Bool {
        if let asn, asns.contains(asn) { return true }
        guard let ip, let bytes = Self.bytes(ip) else { return false }
        for (range, prefix) in ranges where range.count == bytes.count {
            var remaining = prefix
            var index = 0
            var match = true
            while remaining > 0 && index < bytes.count {
                let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
                if bytes[index] & mask != range[index] & mask { match = false; break }
                remaining -= 8
                index += 1
            }
            if match { return true }
        }
        return false
    }

    static func bytes(_ ip: String) -> [UInt8]? {
        if ip.contains(":") {
            let groups = NetworkKey.expandIPv6(ip)
            guard groups.count == 8 else { return nil }
            return groups.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        }
        let parts = ip.split(separator: ".").compactMap { UInt8($0) }
        return parts.count == 4 ? parts : nil
    }
}
