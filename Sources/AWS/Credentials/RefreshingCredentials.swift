import Foundation
import SigV4

/// The credentials every request is signed with, fetched from one provider on first use
/// and fetched again before they expire.
///
/// Temporary credentials (STS, SSO, container, instance metadata, credential_process with
/// `Expiration`) that live L seconds are refreshed in the background from
/// min(15 min, L/2) before expiry (the *advisory* time), so calls keep being signed with
/// the valid old credentials while the new ones are fetched and none waits. Only from
/// min(10 min, L/4) before expiry (the *mandatory* time) does signing wait for a fetch
/// (and fail with the provider's error if it fails). A request signed before a refresh
/// keeps its signature: its credentials stay valid until they expire.
public final class RefreshingCredentials: @unchecked Sendable {  // mutable state guarded by `condition`
    let provider: any CredentialProvider
    private let condition = NSCondition()
    private var cached: ExpiringCredentials?
    private var fetchedAt = Date.distantPast
    private var fetching = false
    private var lastFailure: (error: AWSError, at: Date)?
    private var backoff = Backoff(baseS: 1, maxS: 30)
    private var nextBackgroundAttempt = Date.distantPast

    init(provider: any CredentialProvider) { self.provider = provider }

    /// Credentials known without fetching (tests, explicit configuration).
    public convenience init(_ credentials: AWSCredentials, name: String = "explicit credentials") {
        self.init(provider: StaticCredentials(name: name, credentials: credentials))
    }

    /// Which provider the credentials come from ("environment", "credential_process of profile [dev]").
    public var source: String { provider.name }

    /// When the current credentials expire (nil: not fetched yet, or they do not expire).
    public var expiration: Date? {
        condition.lock()
        defer { condition.unlock() }
        return cached?.expiration
    }

    /// The credentials to sign with now: fetched on first use (blocking), refreshed in the
    /// background after the advisory time, waited for after the mandatory time.
    public func current(now: Date = Date()) throws(AWSError) -> AWSCredentials {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let c = cached {
                guard let expiration = c.expiration else { return c.credentials }
                let (advisory, mandatory) = Self.refreshTimes(fetchedAt: fetchedAt, expiration: expiration)
                if now < mandatory {
                    if now >= advisory { refreshInBackground(now: now) }
                    return c.credentials
                }
            }
            if fetching {
                condition.wait()
                continue
            }
            // A fetch that just failed is not repeated by every caller waiting on it.
            if let failure = lastFailure, now.timeIntervalSince(failure.at) < 1 { throw failure.error }
            fetching = true
            condition.unlock()
            let result = Result { () throws(AWSError) in try provider.fetch() }
            condition.lock()
            fetching = false
            condition.broadcast()
            switch result {
            case .success(let fresh):
                store(fresh, fetchedAt: Date())
                return fresh.credentials
            case .failure(let error):
                lastFailure = (error, Date())
                throw error
            }
        }
    }

    /// For signing that cannot fail (requests built ahead of their send time): the current
    /// credentials, or, when a mandatory refresh fails, the last ones fetched (the service
    /// then answers with the error, which the call records). Fetches on first use.
    public func forSigning(now: Date = Date()) throws(AWSError) -> AWSCredentials {
        do {
            return try current(now: now)
        } catch {
            condition.lock()
            defer { condition.unlock() }
            guard let last = cached else { throw error }
            return last.credentials
        }
    }

    /// Advisory and mandatory refresh times of credentials fetched at `fetchedAt`.
    static func refreshTimes(fetchedAt: Date, expiration: Date) -> (advisory: Date, mandatory: Date) {
        let lifetime = max(expiration.timeIntervalSince(fetchedAt), 0)
        return (
            expiration.addingTimeInterval(-min(15 * 60, lifetime / 2)),
            expiration.addingTimeInterval(-min(10 * 60, lifetime / 4))
        )
    }

    /// Under the lock.
    private func store(_ fresh: ExpiringCredentials, fetchedAt: Date) {
        cached = fresh
        self.fetchedAt = fetchedAt
        lastFailure = nil
        backoff.reset()
        nextBackgroundAttempt = .distantPast
        guard let expiration = fresh.expiration else { return }
        // Refresh on time even when no call asks in between.
        let advisory = Self.refreshTimes(fetchedAt: fetchedAt, expiration: expiration).advisory
        let delay = max(advisory.timeIntervalSinceNow, 0)
        DispatchQueue.global().asyncAfter(deadline: .now() + delay) { [weak self] in
            guard let self else { return }
            self.condition.lock()
            self.refreshInBackground(now: Date())
            self.condition.unlock()
        }
    }

    /// Under the lock: starts one background fetch unless one runs or the last failed recently.
    private func refreshInBackground(now: Date) {
        guard !fetching, now >= nextBackgroundAttempt else { return }
        fetching = true
        DispatchQueue.global().async { [self] in
            let result = Result { () throws(AWSError) in try provider.fetch() }
            condition.lock()
            defer { condition.unlock() }
            fetching = false
            condition.broadcast()
            switch result {
            case .success(let fresh): store(fresh, fetchedAt: Date())
            case .failure:
                // Keep signing with the old credentials; try again after a backoff delay.
                nextBackgroundAttempt = Date().addingTimeInterval(backoff.next())
            }
        }
    }
}
