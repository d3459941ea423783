#include <graphviz/gvc.h>
#include <graphviz/cgraph.h>
#include <stdlib.h>
#include <string.h>

/*
 * A deterministic object-ID discipline for libcgraph.
 *
 * cgraph's default discipline makes a named object's ID the address of its interned name, and
 * keeps subgraphs (clusters) ordered by ID: their order, and so the layout dot computes, then
 * depends on where malloc put the names, which varies from run to run in a threaded process.
 * Here a name's ID is its rank of first appearance (even IDs, as the default's named ones;
 * anonymous objects get odd IDs, as there), so the same DOT always gives the same layout.
 */
typedef struct {
    char **names;       /* names by rank */
    long count, capacity;
    long *slots;        /* open addressing: rank + 1, or 0 for an empty slot */
    long mask;
    IDTYPE anonymous;   /* next odd ID */
} sg_id_state;

static inline unsigned long sg_id_hash(const char *text) {
    unsigned long hash = 1469598103934665603UL;
    for (; *text; text++) hash = (hash ^ (unsigned char)*text) * 1099511628211UL;
    return hash;
}

static inline void *sg_id_open(Agraph_t *g, Agdisc_t *disc) {
    (void)g; (void)disc;
    sg_id_state *state = calloc(1, sizeof(sg_id_state));
    if (!state) return NULL;
    state->mask = 255;
    state->slots = calloc(256, sizeof(long));
    state->anonymous = 1;
    if (!state->slots) { free(state); return NULL; }
    return state;
}

/* The slot holding `name`, or the empty slot where it would go. */
static inline long sg_id_find(sg_id_state *state, const char *name) {
    long slot = (long)(sg_id_hash(name) & (unsigned long)state->mask);
    while (state->slots[slot] != 0 && strcmp(state->names[state->slots[slot] - 1], name) != 0) {
        slot = (slot + 1) & state->mask;
    }
    return slot;
}

static inline int sg_id_grow(sg_id_state *state) {
    long size = (state->mask + 1) * 2;
    long *slots = calloc((size_t)size, sizeof(long));
    if (!slots) return 0;
    free(state->slots);
    state->slots = slots;
    state->mask = size - 1;
    for (long rank = 0; rank < state->count; rank++) state->slots[sg_id_find(state, state->names[rank])] = rank + 1;
    return 1;
}

static inline long sg_id_map(void *opaque, int objtype, char *name, IDTYPE *id, int createflag) {
    (void)objtype;
    sg_id_state *state = opaque;
    if (!name) {
        *id = state->anonymous;
        state->anonymous += 2;
        return 1;
    }
    long slot = sg_id_find(state, name);
    if (state->slots[slot] != 0) {
        *id = (IDTYPE)state->slots[slot] * 2;
        return 1;
    }
    if (!createflag) {
        *id = 0; /* as the default: no such name, an ID no object has */
        return 1;
    }
    if (state->count == state->capacity) {
        long capacity = state->capacity ? state->capacity * 2 : 64;
        char **names = realloc(state->names, (size_t)capacity * sizeof(char *));
        if (!names) return 0;
        state->names = names;
        state->capacity = capacity;
    }
    char *copy = strdup(name);
    if (!copy) return 0;
    state->names[state->count++] = copy;
    state->slots[slot] = state->count;
    if (state->count * 2 > state->mask + 1 && !sg_id_grow(state)) return 0;
    *id = (IDTYPE)state->count * 2;
    return 1;
}

static inline long sg_id_alloc(void *state, int objtype, IDTYPE request) {
    (void)state; (void)objtype; (void)request;
    return 0; /* explicit IDs are not granted, as by the default */
}

static inline void sg_id_free(void *state, int objtype, IDTYPE id) {
    (void)state; (void)objtype; (void)id; /* names live until the graph is closed */
}

static inline char *sg_id_print(void *opaque, int objtype, IDTYPE id) {
    (void)objtype;
    sg_id_state *state = opaque;
    if (id == 0 || id % 2 != 0 || (long)(id / 2) > state->count) return NULL;
    return state->names[id / 2 - 1];
}

static inline void sg_id_close(void *opaque) {
    sg_id_state *state = opaque;
    if (!state) return;
    for (long rank = 0; rank < state->count; rank++) free(state->names[rank]);
    free(state->names);
    free(state->slots);
    free(state);
}

static inline void sg_id_register(void *state, int objtype, void *obj) {
    (void)state; (void)objtype; (void)obj;
}

/* Reading DOT from memory, as agmemread does, but with the deterministic IDs above. */
typedef struct {
    const char *data;
    size_t length, offset;
} sg_memory_reader;

static inline int sg_memory_read(void *channel, char *buffer, int size) {
    sg_memory_reader *reader = channel;
    if (size <= 0 || reader->offset >= reader->length) return 0;
    /* One line at a time, as agmemread's reader gives them to the lexer. */
    int count = 0;
    while (count < size - 1 && reader->offset < reader->length) {
        char c = reader->data[reader->offset++];
        buffer[count++] = c;
        if (c == '\n') break;
    }
    buffer[count] = '\0';
    return count;
}

static inline Agraph_t *sg_read_dot(const char *text) {
    static Agiddisc_t ids = {sg_id_open, sg_id_map, sg_id_alloc, sg_id_free, sg_id_print, sg_id_close, sg_id_register};
    static Agiodisc_t io;
    io.afread = sg_memory_read;
    io.putstr = AgIoDisc.putstr;
    io.flush = AgIoDisc.flush;
    Agdisc_t disc = {&AgMemDisc, &ids, &io};
    sg_memory_reader reader = {text, strlen(text), 0};
    return agread(&reader, &disc);
}
