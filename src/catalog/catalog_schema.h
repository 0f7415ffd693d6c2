// The catalog's schema migrations; private to src/catalog/.
#pragma once

#include <array>
#include <string_view>

#include "catalog/catalog.h"

namespace clipdex {

// Migration i takes a catalog from user_version i to i+1 (catalog_schema.cpp).
extern const std::array<std::string_view, kCatalogSchemaVersion> kMigrations;

}  // namespace clipdex
