"""Write N fake customers as JSONL (Faker, seeded: the same file every run)."""

import argparse
import json
import sys

from faker import Faker


def luhn_complete(prefix: str) -> str:
    """Append the Luhn check digit to ``prefix``."""
    total = 0
    for i, ch in enumerate(reversed(prefix)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return prefix + str((10 - total % 10) % 10)


def main() -> None:
    """Write the customers to stdout."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    fake = Faker("en_US")
    Faker.seed(args.seed)
    for i in range(args.count):
        card = luhn_complete("4" + "".join(str(fake.random_digit()) for _ in range(14)))
        area = fake.random_int(1, 665)
        record = {
            "customer_id": f"C{100000 + i}",
            "name": fake.name(),
            "email": fake.unique.email(),
            "phone": f"+1 {fake.random_int(201, 989)}-{fake.random_int(200, 999)}-"
            f"{fake.random_int(0, 9999):04d}",
            "address": fake.address().replace("\n", ", "),
            "birth_date": fake.date_of_birth(minimum_age=18, maximum_age=90).isoformat(),
            "card": f"{card[:4]} {card[4:8]} {card[8:12]} {card[12:]}",
            "ssn": f"{area:03d}-{fake.random_int(1, 99):02d}-{fake.random_int(1, 9999):04d}",
            "notes": fake.sentence(nb_words=10),
            "vip": fake.boolean(chance_of_getting_true=10),
        }
        sys.stdout.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
