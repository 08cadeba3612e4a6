import Foundation
package import SegmindCatalog
package import StrictJSON

/// How much work one job asks of its model, as a bucket: run times grow with the denoising steps, the pixels
/// and the images of a request, so the planner keeps one estimate per model *and* size.
///
/// The work is steps × width × height × images, each from the request or else the catalog's default; the bucket
/// is its base-2 logarithm, rounded, so jobs within a factor of about 1.4 of each other share an estimate and two
/// neighbouring buckets differ by a factor of 2.
package struct WorkSize: Sendable, Hashable, Comparable {
    /// The rounded base-2 logarithm of steps × pixels × images.
    package var bucket: Int

    package init(bucket: Int) {
        self.bucket = bucket
    }

    /// The size of a request to `model` with these parameters; a model the catalog does not know has bucket 0.
    package init(model: ModelSpec?, parameters: [String: JSONValue]) {
        guard let model else {
            self.init(bucket: 0)
            return
        }
        func value(_ name: String?) -> Double? {
            guard let name else { return nil }
            return (parameters[name] ?? model.parameter(name)?.defaultValue)?.doubleValue
        }
        let steps = value(model.parameters.first { $0.type == .integer && $0.name.lowercased().hasSuffix("steps") }?.name) ?? 1
        let width = value(model.widthParameter) ?? Self.defaultSide
        let height = value(model.heightParameter) ?? Self.defaultSide
        let images = value(model.outputCountParameter) ?? Double(model.defaultOutputCount)
        let work = max(steps, 1) * max(width, 1) * max(height, 1) * max(images, 1)
        self.init(bucket: Int(log2(work).rounded()))
    }

    /// The side assumed for a model that has no size parameters.
    static let defaultSide = 1024.0

    /// How many times more work this size is than `other` (by bucket: a power of two).
    package func ratio(to other: WorkSize) -> Double {
        exp2(Double(bucket - other.bucket))
    }

    package static func < (lhs: WorkSize, rhs: WorkSize) -> Bool {
        lhs.bucket < rhs.bucket
    }
}
