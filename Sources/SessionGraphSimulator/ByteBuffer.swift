import Foundation

/// A growable byte buffer that JSON, CSV and timestamps are written into directly, so a record
/// never becomes a Swift `String` on its way to disk.
struct ByteBuffer {
    var bytes: [UInt8]

    init(capacity: Int = 4096) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    var count: Int { bytes.count }
    var isEmpty: Bool { bytes.isEmpty }
    var string: String { String(decoding: bytes, as: UTF8.self) }

    mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

    @inline(__always) mutating func byte(_ b: UInt8) { bytes.append(b) }

    @inline(__always) mutating func raw(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    @inline(__always) mutating func raw(_ s: String) {
        var s = s
        s.withUTF8 { bytes.append(contentsOf: $0) }
    }

    mutating func raw(_ other: ByteBuffer) { bytes.append(contentsOf: other.bytes) }

    /// A JSON string literal, quotes included.
    mutating func str(_ s: String) {
        bytes.append(0x22)
        escaped(s)
        bytes.append(0x22)
    }

    /// A JSON string literal or `null`.
    mutating func strOrNull(_ s: String?) {
        if let s { str(s) } else { raw("null") }
    }

    /// The inside of a JSON string (no quotes).
    mutating func escaped(_ s: String) {
        var s = s
        s.withUTF8 { buffer in
            var clean = true
            for b in buffer where b < 0x20 || b == 0x22 || b == 0x5C {
                clean = false
                break
            }
            if clean {
                bytes.append(contentsOf: buffer)
                return
            }
            for b in buffer {
                switch b {
                case 0x22: bytes.append(0x5C); bytes.append(0x22)
                case 0x5C: bytes.append(0x5C); bytes.append(0x5C)
                case 0x0A: bytes.append(0x5C); bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(0x5C); bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(0x5C); bytes.append(UInt8(ascii: "t"))
                case 0..<0x20:
                    raw("\\u00")
                    bytes.append(hexDigits[Int(b >> 4)])
                    bytes.append(hexDigits[Int(b & 15)])
                default: bytes.append(b)
                }
            }
        }
    }

    /// `"key":` (the key is trusted: no escaping).
    @inline(__always) mutating func key(_ k: StaticString) {
        bytes.append(0x22)
        raw(k)
        bytes.append(0x22)
        bytes.append(0x3A)
    }

    /// `,"key":`
    @inline(__always) mutating func next(_ k: StaticString) {
        bytes.append(0x2C)
        key(k)
    }

    mutating func int(_ value: Int) {
        if value < 0 {
            bytes.append(0x2D)
            uint(UInt64(-value))
        } else {
            uint(UInt64(value))
        }
    }

    mutating func uint(_ value: UInt64) {
        if value < 10 {
            bytes.append(0x30 + UInt8(value))
            return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        var v = value
        withUnsafeMutableBytes(of: &digits) { d in
            while v > 0 {
                d[n] = 0x30 + UInt8(v % 10)
                v /= 10
                n += 1
            }
            for i in stride(from: n - 1, through: 0, by: -1) { bytes.append(d[i]) }
        }
    }

    /// A fixed-width, zero-padded decimal.
    mutating func padded(_ value: Int, width: Int) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var v = value
        while divisor > 0 {
            bytes.append(0x30 + UInt8(v / divisor % 10))
            v %= divisor
            divisor /= 10
        }
    }

    mutating func bool(_ value: Bool) { value ? raw("true") : raw("false") }

    /// A coordinate with up to 4 decimals, JSON number syntax.
    mutating func decimal(_ value: Double, places: Int = 4) {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        var scaled = Int64((abs(value) * scale).rounded())
        if value < 0 && scaled != 0 { bytes.append(0x2D) }
        let whole = scaled / Int64(scale)
        scaled -= whole * Int64(scale)
        uint(UInt64(whole))
        if scaled != 0 {
            bytes.append(0x2E)
            var frac = Int(scaled)
            var width = places
            while frac % 10 == 0 { frac /= 10; width -= 1 }
            padded(frac, width: width)
        }
    }

    /// Lower-case canonical GUID text.
    mutating func guid(_ g: GUID) {
        for i in 0..<16 {
            if i == 4 || i == 6 || i == 8 || i == 10 { bytes.append(0x2D) }
            let b = g.byte(i)
            bytes.append(hexDigits[Int(b >> 4)])
            bytes.append(hexDigits[Int(b & 15)])
        }
    }

    mutating func quotedGUID(_ g: GUID) {
        bytes.append(0x22)
        guid(g)
        bytes.append(0x22)
    }

    /// A quoted GUID, or `""` when absent.
    mutating func quotedGUIDOrEmpty(_ g: GUID?) {
        bytes.append(0x22)
        if let g { guid(g) }
        bytes.append(0x22)
    }

    /// A CSV field: quoted (RFC 4180) when it holds a comma, quote, CR or LF.
    mutating func csvField(_ s: String) {
        var s = s
        s.withUTF8 { buffer in csvField(buffer) }
    }

    mutating func csvField(_ buffer: UnsafeBufferPointer<UInt8>) {
        var needsQuotes = false
        for b in buffer where b == 0x2C || b == 0x22 || b == 0x0A || b == 0x0D {
            needsQuotes = true
            break
        }
        guard needsQuotes else {
            bytes.append(contentsOf: buffer)
            return
        }
        bytes.append(0x22)
        for b in buffer {
            if b == 0x22 { bytes.append(0x22) }
            bytes.append(b)
        }
        bytes.append(0x22)
    }

    mutating func csvField(_ other: ByteBuffer) {
        other.bytes.withUnsafeBufferPointer { csvField($0) }
    }
}

let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
