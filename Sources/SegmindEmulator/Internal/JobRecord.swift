import Foundation
import ImageFormats

/// One accepted submit: its timeline, its price and what its outputs will look like.
///
/// The timeline is fixed at submit time and read against the clock, so no timer runs in the
/// emulator: a poll simply asks where on the timeline "now" falls.
struct JobRecord: Sendable {
    /// Where a job is on its timeline.
    enum Phase: Sendable, Equatable {
        case queued, processing, completed, failed, expired
    }

    /// One output image to render.
    struct Output: Sendable {
        var format: ImageFormat
        var width: Int
        var height: Int
        var quality: Int
    }

    var id: String
    var model: String
    var submittedAt: Date
    /// Emulated seconds spent QUEUED.
    var queueDuration: Double
    /// Emulated seconds spent PROCESSING.
    var runDuration: Double
    /// Whether the job ends FAILED instead of COMPLETED.
    var failure: String?
    var cost: Double
    var refunded = false
    var outputs: [Output]
    var faceSHA256: String?
    var poseSHA256: String?
    var prompt: String?
    /// The rendered outputs, filled once on first need.
    var rendered: [[UInt8]]?

    func phase(at now: Date, timeToLive: Double) -> Phase {
        let elapsed = now.timeIntervalSince(submittedAt)
        if elapsed >= timeToLive { return .expired }
        if elapsed < queueDuration { return .queued }
        if elapsed < queueDuration + runDuration { return .processing }
        return failure == nil ? .completed : .failed
    }

    /// The name of output `index` as served under `/generations/<id>/`.
    func fileName(at index: Int) -> String {
        "\(index).\(outputs[index].format.fileExtension)"
    }
}
