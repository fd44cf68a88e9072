"""Course authoring: skeletons and the students' generated files, notebooks, the starter
repository and its workflow."""
