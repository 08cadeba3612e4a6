import DaemonConfiguration
import SegmindCatalog
import Testing

@Suite("Outbox retention keys")
struct DaemonConfigurationRetentionTests {
    private let inbox = ConfigurationFixtures.minimalInbox

    @Test("everything is kept for ever by default")
    func defaults() throws {
        let configuration = try ConfigurationFixtures.parse(inbox)
        #expect(configuration.inboxes[0].retention.keepsEverything)
        #expect(configuration.description.contains("keep_done forever"))
    }

    @Test("a number is days, a table sets days and count; cancelled/ follows keep_failed unless told")
    func read() throws {
        let configuration = try ConfigurationFixtures.parse(
            """
            \(inbox)
            keep_done = 30
            keep_failed = { days = 90, count = 1000 }
            keep_logs = { days = 14 }
            """
        )
        let retention = configuration.inboxes[0].retention
        #expect(retention.done == RetentionLimit(days: 30))
        #expect(retention.failed == RetentionLimit(days: 90, count: 1000))
        #expect(retention.cancelled == retention.failed)
        #expect(retention.logs == RetentionLimit(days: 14))
        #expect(configuration.description.contains("keep_done 30 days, keep_failed 90 days, at most the newest 1000"))

        let own = try ConfigurationFixtures.parse("\(inbox)\nkeep_failed = 90\nkeep_cancelled = { count = 10 }")
        #expect(own.inboxes[0].retention.cancelled == RetentionLimit(count: 10))
    }

    @Test("every retention problem is listed at once, readably")
    func problems() throws {
        let problems = try ConfigurationFixtures.problems(
            """
            \(inbox)
            keep_done = 0
            keep_failed = "30 days"
            keep_cancelled = {}
            keep_logs = { days = 14, weeks = 2, count = -1 }
            """
        )
        #expect(problems.mentions("\"portraits\" keep_done", "from 1 to 36500", "got 0"))
        #expect(problems.mentions("\"portraits\" keep_failed", "number of days", "{ days = 30, count = 1000 }"))
        #expect(problems.mentions("\"portraits\" keep_cancelled", "neither days nor count"))
        #expect(problems.mentions("keep_logs unknown key \"weeks\""))
        #expect(problems.mentions("keep_logs count", "got -1"))
        #expect(problems.count == 5, "\(problems)")
    }

    @Test("inboxes sharing an outbox must agree on it")
    func sharedOutbox() throws {
        let problems = try ConfigurationFixtures.problems(
            """
            \(inbox)
            keep_done = 30
            [[inbox]]
            name = "team"
            path = "/srv/in/team"
            outbox = "/srv/out/portraits"
            """
        )
        #expect(problems.mentions("\"team\" keep_*", "shares the outbox /srv/out/portraits with [[inbox]] \"portraits\""))
        #expect(problems.count == 1, "\(problems)")
    }
}
