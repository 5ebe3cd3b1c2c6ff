# Stub for dependency-injector 4.42 (a Cython package Debian lacks). Written for this
# benchmark: containers.DeclarativeContainer with providers.Singleton/Factory/Dict/...,
# and Container.wire(packages=[...]), which -- like the real one -- imports every module
# under the given packages (that is how bettercollected's controllers get imported).
