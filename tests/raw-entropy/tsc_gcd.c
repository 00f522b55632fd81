/*
 * Prints the greatest common divisor of rdtsc deltas for loops of growing length.
 *
 * Why: the power-up test divides every delta by the GCD it finds. On the machine of the
 * committed assessment that GCD is 26, while the C library's figures came from a machine where
 * it was 1. This shows whether the timer itself ticks in steps.
 *
 *   gcc -O2 -o /tmp/tsc_gcd tests/raw-entropy/tsc_gcd.c && /tmp/tsc_gcd
 */
#include <stdint.h>
#include <stdio.h>
#include <x86intrin.h>

static uint64_t gcd(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t rest = a % b;
		a = b;
		b = rest;
	}
	return a;
}

int main(void)
{
	volatile uint64_t sink = 0;
	const int reads = 20000;

	for (int work = 0; work <= 4096; work = work ? work * 4 : 1) {
		uint64_t divisor = 0, sum = 0, previous = __rdtsc();

		for (int i = 0; i < reads; i++) {
			for (int j = 0; j < work; j++)
				sink += j;
			uint64_t now = __rdtsc();
			uint64_t delta = now - previous;
			previous = now;
			sum += delta;
			if (delta)
				divisor = gcd(divisor, delta);
		}
		printf("loop %5d: mean delta %9.1f ticks, gcd of %d deltas %llu\n", work,
		       (double)sum / reads, reads, (unsigned long long)divisor);
	}
	return 0;
}
