import Foundation
package import SegmindCatalog
package import StrictJSON

/// What a job is expected to cost before it is submitted: the catalog's price times the images asked for.
///
/// The estimate gates the paid POST against the spending limits, so it errs high: the catalog's price is
/// taken per image (some models bill each image of a batch), and a model the catalog has no price for is
/// charged at the configured `[credits] unknown_cost` an image, which the estimate says (``isPriceKnown``).
package struct CostEstimate: Sendable, Equatable {
    /// The estimate, USD.
    package var usd: Double
    /// How many images the request asks for.
    package var images: Int
    /// The price of one image used, USD.
    package var pricePerImage: Double
    /// Whether the price is the catalog's (else it is `unknown_cost`).
    package var isPriceKnown: Bool

    package init(usd: Double, images: Int, pricePerImage: Double, isPriceKnown: Bool) {
        self.usd = usd
        self.images = images
        self.pricePerImage = pricePerImage
        self.isPriceKnown = isPriceKnown
    }

    /// The estimate of a request for `model` with `parameters` (as sent, or as validated without the images).
    ///
    /// The image count is the request's output-count parameter, else that parameter's default, else 1.
    package init(model: ModelSpec, parameters: [String: JSONValue], unknownCost: Double) {
        let count = parameters[model.outputCountParameter]?.intValue ?? model.parameter(model.outputCountParameter)?.defaultValue?.intValue ?? 1
        let images = max(1, count)
        let price = model.costPerRun ?? unknownCost
        self.init(usd: price * Double(images), images: images, pricePerImage: price, isPriceKnown: model.costPerRun != nil)
    }

    /// Where the price came from, as records and `facedrop check` name it.
    package var source: String { isPriceKnown ? "catalog" : "unknown_cost" }

    /// One line for people: `0.036 USD (1 image × 0.036 USD, catalog price)`.
    package var text: String {
        let basis = isPriceKnown ? "catalog price" : "no catalog price: [credits] unknown_cost"
        return "\(Self.amount(usd)) USD (\(images) image\(images == 1 ? "" : "s") × \(Self.amount(pricePerImage)) USD, \(basis))"
    }

    /// As `result.json` and the journal keep it.
    package var json: JSONValue {
        [
            "usd": .number(usd),
            "images": .integer(Int64(images)),
            "price_per_image": .number(pricePerImage),
            "source": .string(source),
        ]
    }

    package init?(json: JSONValue) {
        guard let usd = json["usd"]?.doubleValue, let price = json["price_per_image"]?.doubleValue else { return nil }
        self.init(
            usd: usd,
            images: json["images"]?.intValue ?? 1,
            pricePerImage: price,
            isPriceKnown: json["source"]?.stringValue == "catalog"
        )
    }

    /// USD with as many decimals as prices need (0.0035), without trailing noise.
    package static func amount(_ value: Double) -> String {
        var text = String(format: "%.6f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
