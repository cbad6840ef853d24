"""The authoring loop: a preview site of the deck (`site`), Anki's templates rendered for it
(`cards`), and a server that rebuilds it on every save (`serve`)."""
