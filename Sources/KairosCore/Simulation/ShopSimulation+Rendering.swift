extension ShopSimulation {
    /// The event names of the simulated track events, by action kind.
    static func eventName(_ kind: ShopAction.Kind) -> String? {
        switch kind {
        case .view: "Product Viewed"
        case .click: "Product Clicked"
        case .wishlist: "Product Added to Wishlist"
        case .add: "Product Added"
        case .remove: "Product Removed"
        case .order: "Order Completed"
        case .arrival, .identify: nil
        }
    }

    /// The Segment-format event of `action`, as `/v1/batch` takes it.
    func render(_ action: ShopAction) -> JSONValue {
        let user = "\(action.user)"
        let key = "\(configuration.seed)-\(action.day)-\(user)-\(action.session)"
        var fields: [String: JSONValue] = [
            "messageId": .string("sim-\(key)-\(action.step)"),
            "timestamp": .string(Timestamp.format(action.time)),
        ]
        let anonymousOnly = ShopVisitor.activity(index: action.user, configuration: configuration).anonymousOnly
        if action.kind == .identify {
            fields["type"] = "identify"
            fields["userId"] = .string("u-\(user)")
            fields["anonymousId"] = .string("a-\(user)")
            return .object(fields)
        }
        fields["type"] = "track"
        fields["event"] = .string(Self.eventName(action.kind) ?? "")
        if action.anonymous || anonymousOnly {
            fields["anonymousId"] = .string("a-\(user)")
        } else {
            fields["userId"] = .string("u-\(user)")
        }
        var properties: [String: JSONValue]
        if action.kind == .order {
            var cents = 0
            var products: [JSONValue] = []
            for line in action.lines {
                let product = catalog.products[Int(line.item)]
                cents += Int((product.price * 100).rounded()) * Int(line.quantity)
                products.append([
                    "product_id": .string(product.id), "price": .number(product.price),
                    "quantity": .number(Double(line.quantity)),
                ])
            }
            properties = [
                "order_id": .string("o-\(key)"), "revenue": .number(Double(cents) / 100),
                "currency": .string(catalog.currency), "products": .array(products),
            ]
        } else {
            let product = catalog.products[Int(action.item)]
            properties = [
                "product_id": .string(product.id), "category": .string(catalog.categories[product.category].name),
                "price": .number(product.price),
            ]
            if action.kind == .add || action.kind == .remove {
                properties["quantity"] = .number(Double(action.quantity))
                properties["currency"] = .string(catalog.currency)
            }
        }
        fields["properties"] = .object(properties)
        return .object(fields)
    }
}
