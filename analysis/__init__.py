"""Analysis of the archive's reports, without Flask: report alignment and shared sentences
(`alignment`), the rectification tracker's matching (`rectification`) and its town series
(`tracker`), phrase trends (`trends`), the archive-wide views built from the catalogue
(`summaries`) and pinyin order for place names (`pinyin`). The web app and the CLI both call it;
it imports only archive, index and workflows."""
