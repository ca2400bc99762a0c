import Hashing
import Testing

@Suite struct HashingTests {
    // FIPS 180-2 and RFC 4231 test vectors.
    @Test func sha256OfABC() {
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func hmacRFC4231Case2() {
        let mac = HMACSHA256.authenticate(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        #expect(Hex.encode(mac) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func incrementalMatchesOneShot() {
        let h = SHA256.Incremental()
        for chunk in ["ab", "c"] { h.update(Array(chunk.utf8)) }
        #expect(h.finalizeHex() == SHA256.hex("abc"))
    }
}
