"""Reading uploaded plans (.docx, .pdf, text) and drafting provisions from them."""
