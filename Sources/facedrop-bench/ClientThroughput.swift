import ArgumentParser
import CurlHTTP
import Foundation
import SegmindAPI
import SegmindCatalog
import StrictJSON

/// Measures the Segmind client's request rate against a running emulator: a fixed number of
/// requests, spread over a number of concurrent callers sharing one client (one libcurl multi
/// handle, so the connection count follows the callers).
@main
struct ClientThroughput: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "facedrop-bench",
        abstract: "Requests per second of the Segmind client against segmind-emulator."
    )

    @Option(help: "The emulator's base URL.")
    var baseURL: String

    @Option(help: "The API key the emulator accepts.")
    var apiKey: String

    @Option(help: "How many requests in all.")
    var requests = 2000

    @Option(help: "How many callers at once; 1 keeps a single connection.")
    var concurrency = 1

    @Option(help: "What to request: credits (GET /v1/get-user-credits) or status (GET .../status).")
    var endpoint = "credits"

    func run() async throws {
        let http = try HTTPClient(
            configuration: HTTPClientConfiguration(maxConnections: max(concurrency, 1), maxConnectionsPerHost: max(concurrency, 1))
        )
        let client = SegmindClient(
            configuration: SegmindConfiguration(baseURL: baseURL, apiKey: APIKey(apiKey), readRetry: .none, submitRetry: .none),
            http: http
        )
        var handle: SubmittedRequest?
        if endpoint == "status" {
            handle = try await client.submit(model: "pulid-lightning", body: ["face_image": "AAAA", "prompt": "bench"])
        }
        let target = handle
        let perCaller = requests / concurrency
        let clock = ContinuousClock()
        let start = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    for _ in 0..<perCaller {
                        if let target {
                            _ = try await client.status(of: target)
                        } else {
                            _ = try await client.credits()
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let total = perCaller * concurrency
        print(
            String(
                format: "endpoint=%@ concurrency=%d requests=%d seconds=%.3f requests_per_second=%.0f",
                endpoint,
                concurrency,
                total,
                seconds,
                Double(total) / seconds
            )
        )
        http.shutdown()
    }
}
