"""One module per engine or vendor (llama.cpp, OpenAI-compatible servers, LibreTranslate)."""
