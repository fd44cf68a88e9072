"""The trust boundary: everything that touches a submission before or while it runs. README.md in
this folder is its threat model. (Imports nothing, so that a worker importing one module of it
loads nothing else.)"""
