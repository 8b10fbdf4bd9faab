#pragma once
// Internal to the archive: a small pool of threads that shuffle + deflate chunks (chunk_codec)
// while the archive's own thread keeps talking to HDF5, which is not thread-safe and never
// sees these threads. The archive thread submits a job per whole chunk and writes finished
// chunks in order with H5Dwrite_chunk; how many chunks may be in flight is the caller's bound.
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "daemon/archive/chunk_codec.hpp"

namespace plinth::h5 {

// One chunk's trip through the pool. The submitter owns it and must not touch `input` or
// `output` between submit() and the job being done (wait() or finished()), nor destroy it
// before forget().
struct ChunkJob {
  std::vector<std::byte> input;   // the chunk's bytes as HDF5 would hand them to its filters
  std::size_t element_size = 1;   // the shuffle's element (the dataset type's size)
  int level = 1;                  // deflate's
  ChunkFilter filter = ChunkFilter::deflate;
  std::vector<std::byte> output;  // the filtered chunk, when done
  std::vector<std::byte> scratch;  // the shuffled chunk
  bool failed = false;            // when done: could not be compressed (out of memory)

 private:
  friend class ChunkCompressor;
  enum class State { idle, queued, running, done };
  State state = State::idle;
  ChunkJob* next = nullptr;  // in the pool's queue
};

class ChunkCompressor {
 public:
  // `threads` workers (0: default_threads()), started at the first submit().
  explicit ChunkCompressor(unsigned threads = 0);
  ~ChunkCompressor();  // finishes what is queued, joins the workers
  ChunkCompressor(const ChunkCompressor&) = delete;
  ChunkCompressor& operator=(const ChunkCompressor&) = delete;

  // One less than the CPUs (the archive thread compresses too while it waits), 1 to 4.
  static unsigned default_threads();
  unsigned threads() const { return threads_; }

  void submit(ChunkJob& job);
  // Done: its output may be read.
  bool finished(const ChunkJob& job);
  // Until done. A job no worker has started yet is compressed on the calling thread instead of
  // waiting idle (only one caller at a time does this; others wait).
  void wait(ChunkJob& job);
  // Takes a queued job back unfinished, or waits for a running one: afterwards the pool no
  // longer refers to it. For an owner that is going away without the result.
  void forget(ChunkJob& job);

 private:
  void run_worker(ChunkDeflaters& deflaters);
  void unlink(ChunkJob& job);  // from the queue; mutex held
  // Takes a queued job off the queue and compresses it with `deflaters`, the mutex released
  // meanwhile; marks it done and wakes the waiters. `lock` holds mutex_ before and after.
  void run(ChunkJob& job, ChunkDeflaters& deflaters, std::unique_lock<std::mutex>& lock);

  unsigned threads_;
  std::mutex mutex_;
  std::condition_variable work_;
  std::condition_variable done_;
  ChunkJob* head_ = nullptr;
  ChunkJob* tail_ = nullptr;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
  // One set per worker, made by the submitting thread: the workers allocate nothing (so glibc
  // gives them no malloc arena of their own, which would hold on to memory for good) as long
  // as each job's buffers are sized too (AppendableDataset does).
  std::vector<std::unique_ptr<ChunkDeflaters>> worker_deflaters_;
  std::mutex helper_mutex_;  // guards helper_: the one caller compressing inside wait()
  ChunkDeflaters helper_;
};

}  // namespace plinth::h5
