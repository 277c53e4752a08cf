"""reportgen: status reports for the patient groups offered whole-genome sequencing."""

__version__ = "0.1.0"
