/// What an inbox runs when one of its jobs ends: a command (`on_done`, `on_failed`) and a webhook (`webhook_url`).
///
/// A hook never changes its job: it runs after the job's folder is in `done/` or `failed/`, and a hook that fails
/// is logged and leaves a warning file in the outbox.
public struct HookConfiguration: Sendable, Hashable {
    /// The command run when a job is done: the executable (an absolute path) and its arguments, run without a
    /// shell; the job folder is appended as the last argument.
    public var onDone: [String]?
    /// The command run when a job has failed, as ``onDone``.
    public var onFailed: [String]?
    /// How long a command may run before its process group gets SIGTERM (and SIGKILL 5 s later).
    public var timeout: Duration
    /// The user commands run as when the daemon runs as root; a root daemon refuses to run commands without one.
    public var user: String?
    /// Where each job's `result.json` or `error.json` is POSTed: an http or https URL.
    public var webhookURL: String?
    /// A file holding the secret that signs webhook bodies (`X-Facedrop-Signature: sha256=<HMAC>`); read at each send.
    public var webhookSecretFile: String?
    /// How webhook deliveries are retried after a non-2xx answer or a network error.
    public var webhookRetry: WebhookRetry

    public init(
        onDone: [String]? = nil,
        onFailed: [String]? = nil,
        timeout: Duration = .seconds(60),
        user: String? = nil,
        webhookURL: String? = nil,
        webhookSecretFile: String? = nil,
        webhookRetry: WebhookRetry = WebhookRetry()
    ) {
        self.onDone = onDone
        self.onFailed = onFailed
        self.timeout = timeout
        self.user = user
        self.webhookURL = webhookURL
        self.webhookSecretFile = webhookSecretFile
        self.webhookRetry = webhookRetry
    }

    /// Whether anything runs when a job ends.
    public var isEmpty: Bool {
        onDone == nil && onFailed == nil && webhookURL == nil
    }

    /// The command for a job that ended `done` (true) or `failed` (false).
    public func command(done: Bool) -> [String]? {
        done ? onDone : onFailed
    }
}

/// The backoff of webhook deliveries: `initial` doubling up to `maximum` between attempts, until `attempts` were
/// made or `giveUpAfter` has passed since the job ended, whichever comes first.
public struct WebhookRetry: Sendable, Hashable {
    public var initial: Duration
    public var maximum: Duration
    public var attempts: Int
    public var giveUpAfter: Duration

    public init(initial: Duration = .seconds(5), maximum: Duration = .seconds(600), attempts: Int = 200, giveUpAfter: Duration = .seconds(86_400)) {
        self.initial = initial
        self.maximum = max(initial, maximum)
        self.attempts = max(1, attempts)
        self.giveUpAfter = giveUpAfter
    }

    /// The wait after failed attempt number `attempt` (1 for the first): `initial`, doubled each time, at most `maximum`.
    public func delay(after attempt: Int) -> Duration {
        var delay = initial
        for _ in 1..<max(1, attempt) {
            if delay >= maximum { break }
            delay = delay * 2
        }
        return min(delay, maximum)
    }
}
