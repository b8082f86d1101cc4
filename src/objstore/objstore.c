/* placeholder until the object-store module lands: only the init hook */
#include "postgres.h"

#include "objstore/objstore.h"

void
ObjstoreInit(void)
{
}
