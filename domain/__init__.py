"""The rules of dual prevention as code, with the use cases that apply them."""
