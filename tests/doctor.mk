# tests/doctor.mk: make doctor, whether this machine can run the steps and
# their tests, one line per check (tests/doctor.sh).

.PHONY: doctor

doctor:
	@tests/doctor.sh
