import Testing
import CCurl
import CCrypto
import CSQLite
import Foundation

/// Each system-library module really links and answers.
@Suite struct SystemLibraryTests {
    @Test func curlVersionInfo() throws {
        let info = try #require(curl_version_info(CURLversion(rawValue: UInt32(CURLVERSION_LAST.rawValue - 1))))
        let version = String(cString: info.pointee.version)
        #expect(version.split(separator: ".").count == 3)
        #expect(info.pointee.features & Int32(CURL_VERSION_SSL) != 0)
        let ssl = String(cString: info.pointee.ssl_version)
        #expect(ssl.contains("OpenSSL"))
    }

    @Test func opensslSHA256OfKnownString() {
        var digest = [UInt8](repeating: 0, count: 32)
        let input = Array("abc".utf8)
        var length: UInt32 = 0
        #expect(EVP_Digest(input, input.count, &digest, &length, EVP_sha256(), nil) == 1)
        let hex = digest.map { String(format: "%02x", $0) }.joined()
        #expect(hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func sqliteInMemoryRoundTrip() {
        var db: OpaquePointer?
        #expect(sqlite3_open(":memory:", &db) == SQLITE_OK)
        defer { sqlite3_close(db) }
        #expect(sqlite3_exec(db, "CREATE TABLE t(k TEXT, v REAL); INSERT INTO t VALUES('x', 2.5);", nil, nil, nil) == SQLITE_OK)
        var stmt: OpaquePointer?
        #expect(sqlite3_prepare_v2(db, "SELECT k, v FROM t", -1, &stmt, nil) == SQLITE_OK)
        defer { sqlite3_finalize(stmt) }
        #expect(sqlite3_step(stmt) == SQLITE_ROW)
        #expect(String(cString: sqlite3_column_text(stmt, 0)) == "x")
        #expect(sqlite3_column_double(stmt, 1) == 2.5)
        #expect(sqlite3_step(stmt) == SQLITE_DONE)
    }
}
