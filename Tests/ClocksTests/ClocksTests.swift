import Clocks
import Testing

@Suite struct ClocksTests {
    @Test func monotonicClockNeverGoesBackAndSleepWaitsAtLeastAsLongAsAsked() {
        let start = MonotonicClock.nanoseconds()
        let startMs = MonotonicClock.milliseconds()
        MonotonicClock.sleep(milliseconds: 20)
        #expect(MonotonicClock.nanoseconds() >= start + 20_000_000)
        #expect(MonotonicClock.milliseconds() - startMs >= 20)
    }

    @Test func wallClockIsUnixTimeInMilliseconds() {
        let now = WallClock.unixMilliseconds()
        #expect(now > 1_700_000_000_000 && now < 4_000_000_000_000)
    }

    @Test func threadCPUTimeGrowsWithWork() {
        let before = ThreadCPUClock.milliseconds()
        var x = 0.0
        for i in 0..<3_000_000 { x += Double(i).squareRoot() }
        #expect(x > 0)
        #expect(ThreadCPUClock.milliseconds() > before)
    }

    /// A server's quota: a burst of `capacity`, then one request per 1/rate seconds; a refused
    /// request spends nothing.
    @Test func tokenBucketRefusesWhenEmptyAndRefillsAtItsRate() {
        var bucket = TokenBucket(rate: 2, capacity: 2)
        let granted = [10, 10, 10, 10.25, 10.5, 10.5, 20, 20, 20].map { bucket.tryTake(nowS: $0) }
        #expect(granted == [true, true, false, false, true, false, true, true, false])
    }
}
