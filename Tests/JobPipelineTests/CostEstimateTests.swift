import JobPipeline
import SegmindCatalog
import StrictJSON
import Testing

@Suite("Cost estimates")
struct CostEstimateTests {
    let catalog: ModelCatalog

    init() throws {
        catalog = try ModelCatalog.bundled()
    }

    @Test("a priced model: the catalog's price times the images asked for, else the parameter's default of 1")
    func pricedModel() throws {
        let flux = try #require(catalog.model("flux-pulid"))
        let price = try #require(flux.costPerRun)
        let one = CostEstimate(model: flux, parameters: ["prompt": "a portrait"], unknownCost: 9)
        #expect(one.usd == price)
        #expect(one.images == 1)
        #expect(one.isPriceKnown)
        #expect(one.source == "catalog")
        let three = CostEstimate(model: flux, parameters: ["num_outputs": 3], unknownCost: 9)
        #expect(abs(three.usd - 3 * price) < 1e-12)
        #expect(three.images == 3)
        #expect(three.text.contains("3 images"))
        #expect(three.text.contains("catalog price"))
    }

    @Test("a model without a price uses unknown_cost and says so")
    func unpricedModel() throws {
        let unpriced = try #require(catalog.models.first { $0.costPerRun == nil })
        let estimate = CostEstimate(model: unpriced, parameters: [unpriced.outputCountParameter: 2], unknownCost: 0.5)
        #expect(estimate.usd == 1.0)
        #expect(!estimate.isPriceKnown)
        #expect(estimate.source == "unknown_cost")
        #expect(estimate.text.contains("unknown_cost"))
        #expect(estimate.json["source"]?.stringValue == "unknown_cost")
    }

    @Test("the journaled form reads back the same")
    func roundTrip() throws {
        let flux = try #require(catalog.model("flux-pulid"))
        let estimate = CostEstimate(model: flux, parameters: ["num_outputs": 2], unknownCost: 0.5)
        #expect(CostEstimate(json: estimate.json) == estimate)
        #expect(CostEstimate(json: ["usd": 1]) == nil)
    }
}
