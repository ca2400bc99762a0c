import Foundation
import RecordSchema
import ToolSupport

/// Lambda prices: USD per GB-second of billed duration and per request, by region and architecture.
///
/// The default table is built in (so an installed `fit` needs no data file) and is the same
/// as data/prices.json, which users copy, edit and pass with `--prices` (a test keeps the two equal).
public struct PriceTable: Codable, Equatable, Sendable {
    public struct Rate: Codable, Equatable, Sendable {
        public var gbSecondUSD: Double
        public var requestUSD: Double
        public init(gbSecondUSD: Double, requestUSD: Double) {
            self.gbSecondUSD = gbSecondUSD
            self.requestUSD = requestUSD
        }
        enum CodingKeys: String, CodingKey {
            case gbSecondUSD = "gb_second_usd"
            case requestUSD = "request_usd"
        }
    }

    public var format: String
    public var source: String
    public var billingGranularityMs: Double
    /// region -> architecture ("x86_64", "arm64") -> rate.
    public var regions: [String: [String: Rate]]

    enum CodingKeys: String, CodingKey {
        case format, source, regions
        case billingGranularityMs = "billing_granularity_ms"
    }

    public static let builtIn: PriceTable = {
        let standard = [
            "x86_64": Rate(gbSecondUSD: 0.0000166667, requestUSD: 0.0000002),
            "arm64": Rate(gbSecondUSD: 0.0000133334, requestUSD: 0.0000002),
        ]
        return PriceTable(
            format: "rightsize.prices/1",
            source:
                "AWS Lambda pricing, first tier (https://aws.amazon.com/lambda/pricing/), as stated in the rightsize design notes; checked 2026-11-24. Copy this file, edit it and pass it with fit --prices FILE to use other prices.",
            billingGranularityMs: 1,
            regions: ["us-east-1": standard, "us-east-2": standard, "us-west-2": standard, "eu-west-1": standard])
    }()

    /// Reads a prices file; problems are InputErrors naming the file and field.
    public static func load(path: String) throws -> PriceTable {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(file: path, problem: "cannot read the prices file")
        }
        do {
            let table = try JSONDecoder().decode(PriceTable.self, from: data)
            guard table.billingGranularityMs > 0 else {
                throw InputError(file: path, field: "billing_granularity_ms", problem: "must be positive")
            }
            for (region, archs) in table.regions {
                for (arch, rate) in archs where !(rate.gbSecondUSD >= 0 && rate.requestUSD >= 0) {
                    throw InputError(file: path, field: "regions.\(region).\(arch)", problem: "prices must be non-negative numbers")
                }
            }
            return table
        } catch let e as InputError {
            throw e
        } catch let DecodingError.keyNotFound(key, ctx) {
            throw InputError(
                file: path, field: (ctx.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: "."), problem: "missing")
        } catch let DecodingError.typeMismatch(_, ctx) {
            throw InputError(file: path, field: ctx.codingPath.map(\.stringValue).joined(separator: "."), problem: "wrong type")
        } catch {
            throw InputError(file: path, problem: "not a prices file (JSON with format, source, billing_granularity_ms, regions)")
        }
    }

    /// The rate to use, or an InputError naming what is not in the table.
    public func pricing(region: String, architecture: String, origin: String) throws -> PricingUsed {
        guard let archs = regions[region] else {
            throw InputError(
                file: origin, field: "regions",
                problem: "no prices for region \(region) (have: \(regions.keys.sorted().joined(separator: ", ")))")
        }
        guard let rate = archs[architecture] else {
            throw InputError(file: origin, field: "regions.\(region)", problem: "no prices for architecture \(architecture)")
        }
        return PricingUsed(
            region: region, architecture: architecture, gbSecondUSD: rate.gbSecondUSD,
            requestUSD: rate.requestUSD, billingGranularityMs: billingGranularityMs,
            source: "\(origin): \(source)")
    }
}
