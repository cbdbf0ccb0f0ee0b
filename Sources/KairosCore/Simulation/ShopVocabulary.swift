/// The words a simulated shop is made of: departments, their categories with product nouns and
/// price ranges, adjectives, colours and brand syllables.
enum ShopVocabulary {
    /// One leaf category: its name, the nouns its products are called, and a typical price range.
    struct Category {
        var name: String
        var nouns: [String]
        var prices: ClosedRange<Double>
    }

    /// One department: its name, categories, and the adjectives and tags that suit it.
    struct Department {
        var name: String
        var categories: [Category]
        var adjectives: [String]
        var tags: [String]
    }

    /// The most categories a department has.
    static let maxCategoriesPerDepartment = 5

    static let departments: [Department] = [
        Department(
            name: "Shoes",
            categories: [
                Category(name: "Running", nouns: ["Running Shoe", "Road Runner", "Trainer"], prices: 49...189),
                Category(name: "Trail", nouns: ["Trail Shoe", "Trail Runner", "Hiking Shoe"], prices: 69...219),
                Category(name: "Sneakers", nouns: ["Sneaker", "Low Top", "High Top"], prices: 39...159),
                Category(name: "Boots", nouns: ["Boot", "Chelsea Boot", "Winter Boot"], prices: 79...289),
                Category(name: "Sandals", nouns: ["Sandal", "Slide", "Flip-Flop"], prices: 15...89),
            ],
            adjectives: ["Ultra", "Light", "Pro", "Classic", "Urban", "Grip", "Cloud", "Swift"],
            tags: ["breathable", "waterproof", "vegan", "wide-fit"]),
        Department(
            name: "Clothing",
            categories: [
                Category(name: "T-Shirts", nouns: ["T-Shirt", "Tee", "Tank Top"], prices: 9...49),
                Category(name: "Jackets", nouns: ["Jacket", "Parka", "Windbreaker"], prices: 59...349),
                Category(name: "Jeans", nouns: ["Jeans", "Slim Jeans", "Relaxed Jeans"], prices: 39...149),
                Category(name: "Sweaters", nouns: ["Sweater", "Hoodie", "Cardigan"], prices: 29...129),
                Category(name: "Dresses", nouns: ["Dress", "Maxi Dress", "Shirt Dress"], prices: 29...189),
            ],
            adjectives: ["Essential", "Organic", "Relaxed", "Vintage", "Cosy", "Everyday", "Premium", "Soft"],
            tags: ["cotton", "organic", "recycled", "slim-fit"]),
        Department(
            name: "Outdoor",
            categories: [
                Category(name: "Tents", nouns: ["Tent", "Dome Tent", "Tunnel Tent"], prices: 79...599),
                Category(name: "Backpacks", nouns: ["Backpack", "Daypack", "Trekking Pack"], prices: 29...249),
                Category(name: "Sleeping Bags", nouns: ["Sleeping Bag", "Quilt", "Liner"], prices: 39...349),
                Category(name: "Lamps", nouns: ["Head Lamp", "Lantern", "Torch"], prices: 9...89),
                Category(name: "Cookware", nouns: ["Stove", "Pot Set", "Mug"], prices: 9...149),
            ],
            adjectives: ["Alpine", "Trek", "Summit", "Compact", "Rugged", "Basecamp", "Storm", "Ultralight"],
            tags: ["waterproof", "ultralight", "4-season", "packable"]),
        Department(
            name: "Electronics",
            categories: [
                Category(name: "Headphones", nouns: ["Headphones", "Earbuds", "Headset"], prices: 19...399),
                Category(name: "Phones", nouns: ["Phone", "Smartphone", "Phone Case"], prices: 15...1199),
                Category(name: "Laptops", nouns: ["Laptop", "Notebook", "Ultrabook"], prices: 399...2499),
                Category(name: "Cameras", nouns: ["Camera", "Action Cam", "Lens"], prices: 99...1899),
                Category(name: "Speakers", nouns: ["Speaker", "Soundbar", "Smart Speaker"], prices: 29...599),
            ],
            adjectives: ["Pro", "Max", "Air", "Mini", "Studio", "Wireless", "Smart", "Neo"],
            tags: ["wireless", "bluetooth", "noise-cancelling", "5g"]),
        Department(
            name: "Home",
            categories: [
                Category(name: "Kitchen", nouns: ["Pan", "Knife Set", "Kettle"], prices: 15...249),
                Category(name: "Bedding", nouns: ["Duvet", "Pillow", "Sheet Set"], prices: 19...199),
                Category(name: "Lighting", nouns: ["Floor Lamp", "Table Lamp", "Pendant"], prices: 24...299),
                Category(name: "Decor", nouns: ["Vase", "Mirror", "Frame"], prices: 9...149),
                Category(name: "Storage", nouns: ["Shelf", "Basket", "Box Set"], prices: 9...179),
            ],
            adjectives: ["Nordic", "Linen", "Oak", "Ceramic", "Modern", "Rustic", "Cosy", "Minimal"],
            tags: ["handmade", "sustainable", "dishwasher-safe", "oak"]),
        Department(
            name: "Beauty",
            categories: [
                Category(name: "Skincare", nouns: ["Serum", "Moisturiser", "Cleanser"], prices: 8...89),
                Category(name: "Fragrance", nouns: ["Eau de Parfum", "Eau de Toilette", "Body Mist"], prices: 19...149),
                Category(name: "Makeup", nouns: ["Lipstick", "Mascara", "Foundation"], prices: 6...59),
                Category(name: "Hair", nouns: ["Shampoo", "Conditioner", "Hair Oil"], prices: 5...49),
                Category(name: "Bath", nouns: ["Body Wash", "Bath Salt", "Soap"], prices: 4...39),
            ],
            adjectives: ["Pure", "Hydra", "Glow", "Velvet", "Botanical", "Calm", "Radiant", "Fresh"],
            tags: ["vegan", "fragrance-free", "cruelty-free", "sensitive-skin"]),
        Department(
            name: "Sports",
            categories: [
                Category(name: "Cycling", nouns: ["Helmet", "Bike Light", "Cycling Jersey"], prices: 15...299),
                Category(name: "Fitness", nouns: ["Dumbbell Set", "Kettlebell", "Resistance Band"], prices: 9...249),
                Category(name: "Yoga", nouns: ["Yoga Mat", "Yoga Block", "Yoga Strap"], prices: 9...119),
                Category(name: "Swimming", nouns: ["Swim Goggles", "Swimsuit", "Swim Cap"], prices: 7...89),
                Category(name: "Racket Sports", nouns: ["Tennis Racket", "Padel Racket", "Ball Set"], prices: 9...249),
            ],
            adjectives: ["Power", "Flex", "Core", "Aero", "Balance", "Endurance", "Sprint", "Active"],
            tags: ["beginner", "competition", "non-slip", "adjustable"]),
        Department(
            name: "Toys",
            categories: [
                Category(name: "Building", nouns: ["Building Set", "Brick Box", "Marble Run"], prices: 14...199),
                Category(name: "Puzzles", nouns: ["Puzzle", "3D Puzzle", "Brain Teaser"], prices: 7...49),
                Category(name: "Dolls", nouns: ["Doll", "Doll House", "Plush Bear"], prices: 9...129),
                Category(name: "Games", nouns: ["Board Game", "Card Game", "Party Game"], prices: 9...69),
                Category(name: "Outdoor Play", nouns: ["Kite", "Scooter", "Water Blaster"], prices: 9...149),
            ],
            adjectives: ["Happy", "Magic", "Junior", "Rainbow", "Mega", "Tiny", "Wild", "Clever"],
            tags: ["ages-3+", "ages-8+", "educational", "wooden"]),
        Department(
            name: "Books",
            categories: [
                Category(name: "Fiction", nouns: ["Novel", "Thriller", "Short Stories"], prices: 8...29),
                Category(name: "Cooking", nouns: ["Cookbook", "Baking Book", "Kitchen Guide"], prices: 14...45),
                Category(name: "Travel", nouns: ["Travel Guide", "Atlas", "Phrasebook"], prices: 9...39),
                Category(name: "Children", nouns: ["Picture Book", "Story Book", "Activity Book"], prices: 6...24),
                Category(name: "Science", nouns: ["Science Book", "Field Guide", "Essay Collection"], prices: 12...49),
            ],
            adjectives: ["Complete", "Little", "Great", "Illustrated", "Pocket", "New", "Hidden", "Essential"],
            tags: ["hardcover", "paperback", "bestseller", "signed"]),
        Department(
            name: "Garden",
            categories: [
                Category(name: "Tools", nouns: ["Pruner", "Spade", "Rake"], prices: 9...119),
                Category(name: "Plants", nouns: ["Seed Kit", "Herb Pot", "Bulb Set"], prices: 4...59),
                Category(name: "Furniture", nouns: ["Garden Chair", "Bench", "Lounger"], prices: 39...599),
                Category(name: "Watering", nouns: ["Hose", "Watering Can", "Sprinkler"], prices: 7...99),
                Category(name: "Grills", nouns: ["Grill", "Smoker", "Grill Set"], prices: 29...899),
            ],
            adjectives: ["Green", "Sturdy", "Terra", "Bloom", "Patio", "Weatherproof", "Classic", "Compact"],
            tags: ["weatherproof", "foldable", "organic", "stainless"]),
        Department(
            name: "Grocery",
            categories: [
                Category(name: "Coffee", nouns: ["Coffee Beans", "Ground Coffee", "Coffee Pods"], prices: 4...34),
                Category(name: "Tea", nouns: ["Green Tea", "Black Tea", "Herbal Tea"], prices: 3...24),
                Category(name: "Snacks", nouns: ["Granola", "Nut Mix", "Chocolate Bar"], prices: 2...14),
                Category(name: "Pantry", nouns: ["Olive Oil", "Pasta", "Spice Set"], prices: 2...29),
                Category(name: "Drinks", nouns: ["Juice", "Sparkling Water", "Lemonade"], prices: 1...12),
            ],
            adjectives: ["Organic", "Roasted", "Classic", "Single-Origin", "Fair", "Golden", "Wild", "Daily"],
            tags: ["organic", "fairtrade", "gluten-free", "vegan"]),
        Department(
            name: "Pets",
            categories: [
                Category(name: "Dog", nouns: ["Dog Bed", "Dog Leash", "Dog Food"], prices: 5...149),
                Category(name: "Cat", nouns: ["Cat Tree", "Cat Toy", "Cat Food"], prices: 3...179),
                Category(name: "Aquarium", nouns: ["Aquarium", "Filter", "Fish Food"], prices: 4...299),
                Category(name: "Birds", nouns: ["Bird Cage", "Bird Seed", "Perch"], prices: 3...129),
                Category(name: "Small Pets", nouns: ["Hutch", "Hay", "Exercise Wheel"], prices: 4...149),
            ],
            adjectives: ["Happy", "Cosy", "Natural", "Premium", "Playful", "Sturdy", "Calm", "Fresh"],
            tags: ["grain-free", "washable", "chew-proof", "natural"]),
    ]

    static let colours = ["black", "white", "grey", "navy", "blue", "red", "green", "beige", "brown", "pink"]

    static let brandStarts = [
        "Nor", "Alt", "Vel", "Kai", "Sol", "Bri", "Mar", "Lun", "Tor", "Zen", "Ver", "Cas", "Ori", "Pel", "Fen", "Hal",
        "Ar", "Bel", "Cor", "Dal",
    ]
    static let brandEnds = [
        "dik", "ura", "ora", "vex", "ano", "ett", "ix", "ona", "berg", "wood", "line", "co", "mira", "ton", "elle",
        "gard",
    ]

    /// The name of brand number `index`: distinct for the first 320 brands, then numbered.
    static func brandName(_ index: Int) -> String {
        // A fixed stride through the start × end grid, so consecutive brands do not share a start.
        let grid = brandStarts.count * brandEnds.count
        let cell = (index % grid) * 7 % grid
        let name = brandStarts[cell % brandStarts.count] + brandEnds[cell / brandStarts.count]
        return index < grid ? name : "\(name) \(index / grid + 1)"
    }
}
