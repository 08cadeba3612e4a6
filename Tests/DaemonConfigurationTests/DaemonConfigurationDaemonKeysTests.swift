import DaemonConfiguration
import Testing

@Suite("The daemon's own keys: job deadline, run-time scale, credit rechecks, the built-in emulator")
struct DaemonConfigurationDaemonKeysTests {
    @Test("left out, they take their documented defaults")
    func defaults() throws {
        let configuration = try ConfigurationFixtures.parse(ConfigurationFixtures.minimalInbox)
        #expect(configuration.api.jobDeadline == .seconds(900))
        #expect(configuration.api.runTimeScale == 1)
        #expect(configuration.credits.recheckInterval == .seconds(60))
        #expect(configuration.emulator == EmulatorSettings(timeScale: 0.05, credits: 100, queueSeconds: 2))
    }

    @Test("set, they are read")
    func read() throws {
        let configuration = try ConfigurationFixtures.parse(
            """
            [api]
            job_deadline = 120
            run_time_scale = 0.01
            [credits]
            recheck_interval = 0.5
            [emulator]
            time_scale = 0.2
            credits = 3.5
            queue_seconds = 0
            run_times = { "pulid-lightning" = 2.0, instantid = 30 }
            \(ConfigurationFixtures.minimalInbox)
            """
        )
        #expect(configuration.api.jobDeadline == .seconds(120))
        #expect(configuration.api.runTimeScale == 0.01)
        #expect(configuration.credits.recheckInterval == .milliseconds(500))
        #expect(
            configuration.emulator == EmulatorSettings(timeScale: 0.2, credits: 3.5, queueSeconds: 0, runSeconds: ["pulid-lightning": 2, "instantid": 30])
        )
    }

    @Test("out of range or unknown, each is a listed problem")
    func refused() throws {
        let problems = try ConfigurationFixtures.problems(
            """
            [api]
            job_deadline = 0
            run_time_scale = 2
            [emulator]
            time_scale = 0
            speed = 3
            run_times = { "pulid-lightning" = -1, instantid = "slow" }
            \(ConfigurationFixtures.minimalInbox)
            """
        )
        #expect(problems.count == 6)
        #expect(problems.contains { $0.contains("[emulator] run_times pulid-lightning") && $0.contains("at least 0") })
        #expect(problems.contains { $0.contains("[emulator] run_times instantid") && $0.contains("must be a number") })
        #expect(problems.contains { $0.contains("job_deadline") })
        #expect(problems.contains { $0.contains("run_time_scale") && $0.contains("at most 1") })
        #expect(problems.contains { $0.contains("time_scale") && $0.contains("[emulator]") })
        #expect(problems.contains { $0.contains("speed") })
    }
}
