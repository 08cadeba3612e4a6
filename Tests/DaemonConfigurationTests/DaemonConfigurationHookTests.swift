import DaemonConfiguration
import SegmindCatalog
import Testing

@Suite("Hooks in the configuration")
struct DaemonConfigurationHookTests {
    private let inbox = ConfigurationFixtures.minimalInbox

    @Test("no hooks by default; the webhook retries 5 s doubling to 10 min for at most a day")
    func defaults() throws {
        let hooks = try ConfigurationFixtures.parse(inbox).inboxes[0].hooks
        #expect(hooks.isEmpty)
        #expect(hooks.timeout == .seconds(60))
        #expect(hooks.webhookRetry == WebhookRetry(initial: .seconds(5), maximum: .seconds(600), attempts: 200, giveUpAfter: .seconds(86_400)))
    }

    @Test("commands, the webhook and their settings are read and described")
    func read() throws {
        let configuration = try ConfigurationFixtures.parse(
            """
            \(inbox)
            on_done = ["/usr/local/bin/notify", "--channel", "art"]
            on_failed = ["/usr/local/bin/page"]
            hook_timeout = 2.5
            hook_user = "nobody"
            webhook_url = "https://hooks.example.com/facedrop?team=art"
            webhook_secret_file = "/etc/facedrop/webhook-secret"
            webhook_retry_initial = 1
            webhook_retry_max = 30
            webhook_attempts = 7
            webhook_give_up_after = 3600
            """
        )
        let hooks = configuration.inboxes[0].hooks
        #expect(hooks.onDone == ["/usr/local/bin/notify", "--channel", "art"])
        #expect(hooks.onFailed == ["/usr/local/bin/page"])
        #expect(hooks.command(done: false) == ["/usr/local/bin/page"])
        #expect(hooks.timeout == .milliseconds(2500))
        #expect(hooks.user == "nobody")
        #expect(hooks.webhookURL == "https://hooks.example.com/facedrop?team=art")
        #expect(hooks.webhookSecretFile == "/etc/facedrop/webhook-secret")
        #expect(hooks.webhookRetry == WebhookRetry(initial: .seconds(1), maximum: .seconds(30), attempts: 7, giveUpAfter: .seconds(3600)))
        let text = configuration.description
        #expect(text.contains("on_done = \"/usr/local/bin/notify\" \"--channel\" \"art\" <job folder>"))
        #expect(text.contains("hook_timeout 2.5 s, run as user nobody"))
        #expect(text.contains("signed with the secret in /etc/facedrop/webhook-secret"))
        #expect(text.contains("retried 1 s doubling to 30 s, at most 7 attempts within 3600 s"))
    }

    @Test("every hook problem is listed at once")
    func problems() throws {
        let problems = try ConfigurationFixtures.problems(
            """
            \(inbox)
            on_done = "/usr/local/bin/notify --channel art"
            on_failed = ["notify", "--channel"]
            hook_timeout = 0
            hook_user = "a b"
            webhook_url = "ftp://example.com/x"
            webhook_secret_file = "secret"
            webhook_attempts = 0
            webhook_retry_initial = 60
            webhook_retry_max = 10
            """
        )
        #expect(problems.mentions("\"portraits\" on_done", "array of strings"))
        #expect(problems.mentions("\"portraits\" on_failed", "absolute path", "\"notify\""))
        #expect(problems.mentions("\"portraits\" hook_timeout", "at least 0.1 s"))
        #expect(problems.mentions("\"portraits\" hook_user", "user name"))
        #expect(problems.mentions("\"portraits\" webhook_url", "http or https URL"))
        #expect(problems.mentions("\"portraits\" webhook_secret_file", "absolute path"))
        #expect(problems.mentions("\"portraits\" webhook_attempts", "from 1 to 10000"))
        #expect(problems.mentions("\"portraits\" webhook_retry_max", "at least webhook_retry_initial"))
        #expect(problems.count == 8, "\(problems)")
    }

    @Test("an empty command, a non-string argument and a secret without a webhook are refused")
    func moreProblems() throws {
        let problems = try ConfigurationFixtures.problems(
            """
            \(inbox)
            on_done = []
            on_failed = ["/bin/echo", 3]
            webhook_secret_file = "/etc/facedrop/webhook-secret"
            """
        )
        #expect(problems.mentions("on_done", "empty array"))
        #expect(problems.mentions("on_failed", "element 2 must be a string"))
        #expect(problems.mentions("webhook_secret_file", "no webhook_url"))
        #expect(problems.count == 3, "\(problems)")
    }

    @Test("the retry delay doubles from the initial wait and stops at the maximum")
    func retryDelays() {
        let retry = WebhookRetry()
        #expect((1...10).map { retry.delay(after: $0) } == [5, 10, 20, 40, 80, 160, 320, 600, 600, 600].map { Duration.seconds($0) })
    }
}
