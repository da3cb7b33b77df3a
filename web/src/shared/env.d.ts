/** Types Vite provides to the pages (CSS imports, import.meta.env). */
/// <reference types="vite/client" />
