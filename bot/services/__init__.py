"""Domain rules. Services own transactions; they take and return plain data, not aiogram objects."""
