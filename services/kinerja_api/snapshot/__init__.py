"""Who the employee, the penilai and the atasan penilai were when a result was finalised (issue 17): the
evaluation document and the SIASN payload print them as they were then, not as they are today (domain.md
§11.2, §11.4)."""
