#include "daemon/archive/chunk_compressor.hpp"

#include <pthread.h>

#include <algorithm>
#include <exception>

#include "daemon/util/batch_scheduling.hpp"

namespace plinth::h5 {
namespace {

void encode(ChunkDeflaters& deflaters, ChunkJob& job) {
  try {
    if (job.filter == ChunkFilter::lz4) {
      lz4_encode_chunk(job.input, job.element_size, job.output, job.scratch);
    } else {
      deflaters.at(job.level).encode(job.input, job.element_size, job.output, job.scratch);
    }
    job.failed = false;
  } catch (const std::exception&) {
    job.failed = true;  // the archive thread reports it; a worker thread must not throw
  }
}

}  // namespace

unsigned ChunkCompressor::default_threads() {
  const unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
  return std::clamp(cpus - 1, 1u, 4u);
}

ChunkCompressor::ChunkCompressor(unsigned threads) : threads_(threads == 0 ? default_threads() : threads) {}

ChunkCompressor::~ChunkCompressor() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void ChunkCompressor::submit(ChunkJob& job) {
  {
    std::lock_guard lock(mutex_);
    if (workers_.empty()) {
      workers_.reserve(threads_);
      for (unsigned i = 0; i < threads_; ++i) {
        worker_deflaters_.push_back(std::make_unique<ChunkDeflaters>());
        workers_.emplace_back([this, d = worker_deflaters_.back().get()] { run_worker(*d); });
      }
    }
    // A worker reads its set only for jobs queued after this (under the mutex).
    if (job.filter == ChunkFilter::deflate)
      for (const auto& d : worker_deflaters_) d->at(job.level);
    job.state = ChunkJob::State::queued;
    job.next = nullptr;
    (tail_ != nullptr ? tail_->next : head_) = &job;
    tail_ = &job;
  }
  work_.notify_one();
}

bool ChunkCompressor::finished(const ChunkJob& job) {
  std::lock_guard lock(mutex_);
  return job.state == ChunkJob::State::done || job.state == ChunkJob::State::idle;
}

void ChunkCompressor::unlink(ChunkJob& job) {
  ChunkJob* previous = nullptr;
  for (ChunkJob* j = head_; j != nullptr; previous = j, j = j->next) {
    if (j != &job) continue;
    (previous != nullptr ? previous->next : head_) = j->next;
    if (tail_ == j) tail_ = previous;
    j->next = nullptr;
    return;
  }
}

void ChunkCompressor::run(ChunkJob& job, ChunkDeflaters& deflaters, std::unique_lock<std::mutex>& lock) {
  unlink(job);
  job.state = ChunkJob::State::running;
  lock.unlock();
  encode(deflaters, job);
  lock.lock();
  job.state = ChunkJob::State::done;
  done_.notify_all();
}

void ChunkCompressor::wait(ChunkJob& job) {
  std::unique_lock lock(mutex_);
  if (job.state == ChunkJob::State::queued) {
    std::unique_lock helping(helper_mutex_, std::try_to_lock);
    if (helping.owns_lock()) {
      run(job, helper_, lock);
      return;
    }
  }
  done_.wait(lock, [&] { return job.state == ChunkJob::State::done || job.state == ChunkJob::State::idle; });
}

void ChunkCompressor::forget(ChunkJob& job) {
  std::unique_lock lock(mutex_);
  if (job.state == ChunkJob::State::queued) {
    unlink(job);
    job.state = ChunkJob::State::idle;
    return;
  }
  done_.wait(lock, [&] { return job.state != ChunkJob::State::running; });
  job.state = ChunkJob::State::idle;
}

void ChunkCompressor::run_worker(ChunkDeflaters& deflaters) {
  ::pthread_setname_np(::pthread_self(), "archive-deflate");
  run_as_bulk_thread();
  std::unique_lock lock(mutex_);
  for (;;) {
    work_.wait(lock, [&] { return stopping_ || head_ != nullptr; });
    if (head_ == nullptr) return;  // stopping, and nothing left to do
    run(*head_, deflaters, lock);
  }
}

}  // namespace plinth::h5
