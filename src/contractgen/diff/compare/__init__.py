"""One comparator module per area of the contract; each exposes `compare(context)`."""
