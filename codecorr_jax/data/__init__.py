"""Datasets for training and evaluation: the TFDS builder (array_record) of the synthesis
build's task records and grain pipelines over it."""
