import Foundation
import Glibc
import JobHooks
import Testing

@Suite("Hook commands")
struct HookCommandTests {
    @Test("the command gets its arguments and exactly the environment given, and its output is captured")
    func argumentsAndEnvironment() async throws {
        let command = HookCommand(
            arguments: [
                "/bin/sh", "-c", "printf 'args:%s|' \"$@\"; echo; env | sort; echo to-stderr >&2; read -r line; echo \"stdin:[$line]\"", "sh", "one",
                "two words",
            ],
            environment: ["PATH=/usr/bin:/bin", "FACEDROP_JOB=portrait", "FACEDROP_STATUS=done"],
            timeout: .seconds(20)
        )
        let result = try await command.run()
        #expect(result.ending == .exited(0))
        #expect(result.output.contains("args:one|args:two words|"))
        #expect(result.output.contains("FACEDROP_JOB=portrait\n"))
        #expect(result.output.contains("FACEDROP_STATUS=done\n"))
        #expect(result.output.contains("to-stderr"))
        #expect(result.output.contains("stdin:[]"), "stdin is /dev/null")
        let variables = result.output.split(separator: "\n").filter { $0.contains("=") && !$0.hasPrefix("args:") }.map { $0.split(separator: "=")[0] }
        #expect(Set(variables).isSubset(of: ["PATH", "FACEDROP_JOB", "FACEDROP_STATUS", "PWD", "SHLVL", "_"]), "\(variables)")
        #expect(!result.output.contains("SEGMIND_API_KEY"))
    }

    @Test("no descriptor of the daemon reaches the command, even one opened without close-on-exec")
    func noDescriptorLeaks() async throws {
        let leaky = open("/dev/null", O_RDONLY)
        defer { close(leaky) }
        #expect(leaky > 2)
        let result = try await HookCommand(arguments: ["/bin/sh", "-c", "ls /proc/$$/fd"], environment: [], timeout: .seconds(20)).run()
        #expect(result.output.split(separator: "\n") == ["0", "1", "2"], "\(result.output)")
    }

    @Test("a non-zero exit and a signal are reported as such")
    func exitAndSignal() async throws {
        let failed = try await HookCommand(arguments: ["/bin/sh", "-c", "exit 3"], environment: [], timeout: .seconds(20)).run()
        #expect(failed.ending == .exited(3))
        #expect(failed.outcome == "exit 3")
        let killed = try await HookCommand(arguments: ["/bin/sh", "-c", "kill -KILL $$"], environment: [], timeout: .seconds(20)).run()
        #expect(killed.ending == .signaled(9))
    }

    @Test("after the timeout the whole process group is stopped, even one that ignores SIGTERM")
    func timeout() async throws {
        let clock = ContinuousClock()
        // Bounds far below the commands' 30 s and 60 s, and far above the 0.3 s timeouts, for a loaded machine.
        var start = clock.now
        let polite = try await HookCommand(arguments: ["/bin/sh", "-c", "sleep 30 & echo $!; sleep 30"], environment: [], timeout: .milliseconds(300))
            .run()
        #expect(polite.ending == .timedOut)
        #expect(start.duration(to: clock.now) < .seconds(20))
        // The background sleep, left behind by the shell, got the SIGTERM too: it is gone (or a zombie awaiting its reaper).
        let background = try #require(polite.output.split(separator: "\n").first.map(String.init))
        var state: Substring?
        for _ in 0..<50 {
            state = (try? String(contentsOfFile: "/proc/\(background)/stat", encoding: .utf8))?.split(separator: " ").dropFirst(2).first
            if state == nil || state == "Z" { break }
            try await clock.sleep(for: .milliseconds(100))
        }
        #expect(state == nil || state == "Z", "the background process \(background) is still \(String(describing: state))")

        start = clock.now
        var stubborn = HookCommand(arguments: ["/bin/sh", "-c", "trap '' TERM; sleep 30; sleep 30"], environment: [], timeout: .milliseconds(300))
        stubborn.grace = .milliseconds(300)
        #expect(try await stubborn.run().ending == .timedOut)
        #expect(start.duration(to: clock.now) < .seconds(20))
    }

    @Test("a program that cannot be started is a typed error naming it")
    func notStarted() async throws {
        let error = await #expect(throws: HookError.self) {
            try await HookCommand(arguments: ["/nonexistent/notify"], environment: [], timeout: .seconds(5)).run()
        }
        #expect(error?.description.contains("/nonexistent/notify could not be started: No such file or directory") == true, "\(String(describing: error))")
        let user = await #expect(throws: HookError.self) {
            try await HookCommand(arguments: ["/bin/true"], environment: [], timeout: .seconds(5), user: "no-such-user-here").run()
        }
        #expect(user == .unknownUser("no-such-user-here"))
    }

    @Test("cancelling the task stops the command")
    func cancellation() async throws {
        let task = Task { try await HookCommand(arguments: ["/bin/sleep", "30"], environment: [], timeout: .seconds(60)).run() }
        try await ContinuousClock().sleep(for: .milliseconds(200))
        task.cancel()
        #expect(try await task.value.ending == .interrupted)
    }

    @Test("as root, hook_user's IDs are taken before the exec", .enabled(if: HookCommand.daemonIsRoot))
    func dropsPrivileges() async throws {
        let result = try await HookCommand(arguments: ["/usr/bin/id"], environment: [], timeout: .seconds(20), user: "nobody").run()
        #expect(result.ending == .exited(0))
        #expect(result.output.hasPrefix("uid=65534(nobody) gid=65534(nogroup)"), "\(result.output)")
    }
}
