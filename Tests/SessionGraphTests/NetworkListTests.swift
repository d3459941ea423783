import Testing
@testable import SessionGraph

@Suite("Network lists: CIDR and ASN membership")
struct NetworkListTests {
    @Test("IPv4 and IPv6 prefixes of every length match exactly their addresses")
    func prefixes() {
        let list = NetworkList(["203.0.113.0/24", "10.0.0.0/8", "198.51.100.7", "2001:db8::/32", "2603:1046:a00::/40", "AS8075", " 0.0.0.0/0 junk"])
        #expect(list.contains(ip: "203.0.113.255", asn: nil))
        #expect(!list.contains(ip: "203.0.114.1", asn: nil))
        #expect(list.contains(ip: "10.255.0.1", asn: nil))
        #expect(list.contains(ip: "198.51.100.7", asn: nil))
        #expect(!list.contains(ip: "198.51.100.8", asn: nil))
        #expect(list.contains(ip: "2001:db8:ffff::1", asn: nil))
        #expect(!list.contains(ip: "2001:db9::1", asn: nil))
        #expect(list.contains(ip: "2603:1046:a00:1::5", asn: nil))
        #expect(list.contains(ip: "2603:1046:aff::5", asn: nil))
        #expect(!list.contains(ip: "2603:1046:b00::5", asn: nil))
        #expect(list.contains(ip: "1.2.3.4", asn: 8075))
        for bad in ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1..2.3", "a.b.c.d", "00000000-0000-0000-0000-000000000000", "1.2.3.4 "] {
            #expect(!list.contains(ip: bad, asn: nil), "\(bad)")
        }
        let everything = NetworkList(["0.0.0.0/0", "::/0"])
        #expect(everything.contains(ip: "8.8.8.8", asn: nil) && everything.contains(ip: "2001::1", asn: nil))
        let host6 = NetworkList(["2001:db8::1/128"])
        #expect(host6.contains(ip: "2001:db8::1", asn: nil) && !host6.contains(ip: "2001:db8::2", asn: nil))
        let microsoft = ServiceSide.microsoftServiceRanges
        #expect(microsoft.contains(ip: "52.97.1.1", asn: nil) && microsoft.contains(ip: "40.99.0.1", asn: nil) && !microsoft.contains(ip: "52.100.0.1", asn: nil))
    }
}
