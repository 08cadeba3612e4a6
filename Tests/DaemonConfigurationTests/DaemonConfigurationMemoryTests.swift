import DaemonConfiguration
import Testing

@Suite("[memory]: what an idle daemon gives back")
struct DaemonConfigurationMemoryTests {
    @Test("left out: memory is released after 30 s without a job in flight")
    func defaults() throws {
        let configuration = try ConfigurationFixtures.parse(ConfigurationFixtures.minimalInbox)
        #expect(configuration.memory.releaseWhenIdleAfter == .seconds(30))
        #expect(configuration.description.contains("release_when_idle_after = 30 s without a job in flight"))
    }

    @Test("a number of seconds is read; 0 never releases")
    func read() throws {
        let soon = try ConfigurationFixtures.parse("[memory]\nrelease_when_idle_after = 2.5\n\(ConfigurationFixtures.minimalInbox)")
        #expect(soon.memory.releaseWhenIdleAfter == .milliseconds(2500))
        let never = try ConfigurationFixtures.parse("[memory]\nrelease_when_idle_after = 0\n\(ConfigurationFixtures.minimalInbox)")
        #expect(never.memory.releaseWhenIdleAfter == nil)
        #expect(never.description.contains("release_when_idle_after = never"))
    }

    @Test("a negative or wrong value and an unknown key are listed problems")
    func refused() throws {
        let problems = try ConfigurationFixtures.problems(
            """
            [memory]
            release_when_idle_after = -1
            release_after = 5
            \(ConfigurationFixtures.minimalInbox)
            """
        )
        #expect(problems.contains { $0.contains("[memory] release_when_idle_after") })
        #expect(problems.contains { $0.contains("[memory] unknown key \"release_after\"") })
        let text = try ConfigurationFixtures.problems("[memory]\nrelease_when_idle_after = \"soon\"\n\(ConfigurationFixtures.minimalInbox)")
        #expect(text.contains { $0.contains("[memory] release_when_idle_after") })
    }
}
