"""The public calculator (/calculator/): section 四 of a plan, without signing in."""
