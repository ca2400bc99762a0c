import CCrypto
import CCurl
import CLinux
import CSQLite
import Foundation
import Testing

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

    /// The Linux calls CurlHTTP's loop and the emulator need: an eventfd wakes an epoll wait,
    /// a timerfd fires, and the open-file limit can be raised to its hard limit.
    @Test func linuxEventDescriptors() {
        let epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        let wake = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        let timer = timerfd_create(CLOCK_MONOTONIC, Int32(TFD_NONBLOCK | TFD_CLOEXEC))
        #expect(epoll >= 0 && wake >= 0 && timer >= 0)
        defer {
            close(epoll)
            close(wake)
            close(timer)
        }
        for fd in [wake, timer] {
            var event = epoll_event()
            event.events = EPOLLIN.rawValue
            event.data.fd = fd
            #expect(epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) == 0)
        }
        var one: UInt64 = 1
        #expect(write(wake, &one, 8) == 8)
        var spec = itimerspec(it_interval: timespec(), it_value: timespec(tv_sec: 0, tv_nsec: 1_000_000))
        #expect(timerfd_settime(timer, 0, &spec, nil) == 0)
        // The eventfd is readable at once, the timerfd after 1 ms: wait for both, with a deadline.
        var seen = Set<Int32>()
        var events = [epoll_event](repeating: epoll_event(), count: 4)
        let deadline = Date().addingTimeInterval(10)
        while seen.count < 2 && Date() < deadline {
            let n = epoll_wait(epoll, &events, 4, 100)
            for k in 0..<max(0, Int(n)) { seen.insert(events[k].data.fd) }
        }
        #expect(seen == [wake, timer])
        #expect(rs_raise_open_file_limit() > 0)
        #expect(rs_set_timer_slack_ns(50_000) == 0)
    }
}
