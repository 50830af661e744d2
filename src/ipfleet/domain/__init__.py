"""Pure domain rules: addresses, IP states, the error tree. Standard library only."""
