# The two commands of the README: `make demo` builds everything and runs the main job (a JVM
# under the jent-fips profile showing where its entropy came from); `make test` runs every test.

.PHONY: all build demo test rust java clean-cache

all: build

build: rust java

rust:
	cargo build --release --locked -p jent-cli -p jent-jni -p jent-sandbox

java:
	mvn -B -ntp -q -DskipTests install

demo: build
	java/integration/run-demo.sh

test:
	tests/run-all.sh

clean-cache:
	rm -rf .cache
